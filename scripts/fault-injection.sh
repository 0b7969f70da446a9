#!/usr/bin/env bash
# The fault-injection and convergence tests of issue 9 at their full, by-hand size (docs/RELIABILITY.md):
# - `crm-desktop sync` killed with SIGKILL at KILLS random moments (half during first syncs, half during
#   incremental syncs with offline edits queued on both sides): KillTests;
# - `crm-server serve` killed with SIGKILL SERVER_KILLS times while a desktop pushes: ServerKillTests;
# - the replica's disk full during a pull and before a push (a small tmpfs; needs root): FullDiskTests;
# - three desktops, ROUNDS rounds of random offline edits, deletes, links and vCard edits, synced in random
#   orders while DROP percent of the server's answers are lost: DesktopConvergenceTests.
# CI runs the same tests at a small size (scripts/test.sh). Each test prints its seed; give it back with
# CRM_KILL_SEED / CRM_CONVERGENCE_SEED to replay a failure. Add CRM_TEST_STORE=postgres for the PostgreSQL store.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${KILLS:-100}
SERVER_KILLS=${SERVER_KILLS:-50}
ROUNDS=${ROUNDS:-40}
DROP=${DROP:-25}

swift build --build-tests
start=$(date +%s)
CRM_CONVERGENCE_SEED=${CRM_CONVERGENCE_SEED:-random} CRM_KILL_ROUNDS=$((KILLS / 2)) CRM_SERVER_KILLS=$SERVER_KILLS CRM_CONVERGENCE_ROUNDS=$ROUNDS CRM_CONVERGENCE_DROP=$DROP \
    "$(swift build --show-bin-path)/crm-desktopPackageTests.xctest" --testing-library swift-testing \
    --filter 'KillTests|ServerKillTests|FullDiskTests|DesktopConvergenceTests'
echo "fault injection: done in $(($(date +%s) - start)) s"
