#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: builds, then runs the Swift test suites.
# (Later issues add what their tests need here: PostgreSQL and Radicale are installed and started by this script.)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build --parallel
