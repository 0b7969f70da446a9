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

swift build --build-tests
swift test --skip-build --parallel
