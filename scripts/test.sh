#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: builds, then runs the Swift test suites.
# (Later issues add what their tests need here: PostgreSQL and Radicale are installed and started by this script.)
set -euo pipefail
cd "$(dirname "$0")/.."

# Radicale 3.9 (CalDAV/CardDAV) for the PIM store tests, which start it on loopback (CRMTesting.RadicaleServer).
if [ ! -x .venv-radicale/bin/radicale ]; then
    echo "Installing Radicale into .venv-radicale"
    rm -rf .venv-radicale
    python3 -m venv .venv-radicale
    .venv-radicale/bin/pip install --quiet --disable-pip-version-check radicale==3.9.0
fi

# Third-party PIM clients the interoperability tests run on our vdir files (CRMTesting.PythonTools); the marker
# names the pinned set, so a run with it installed does not ask PyPI again.
PIM_TOOLS="vobject==0.9.9 icalendar==7.3.2 khard==0.22.0 khal==0.14.1"
if [ "$(cat .venv-radicale/.pim-tools 2>/dev/null)" != "$PIM_TOOLS" ]; then
    echo "Installing $PIM_TOOLS into .venv-radicale"
    # shellcheck disable=SC2086 # one word per requirement
    .venv-radicale/bin/pip install --quiet --disable-pip-version-check $PIM_TOOLS
    echo "$PIM_TOOLS" > .venv-radicale/.pim-tools
fi

swift build --build-tests
swift test --skip-build --parallel
