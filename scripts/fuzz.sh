#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (a separate package, so `swift build` of the CRM never sees them) with the
# fuzzer and address sanitizers, and runs them.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]     # default: all, 600 seconds each
#   scripts/fuzz.sh build                      # build only
#
# TARGET: vcard, icalendar, mail, package, request-json. Each run starts from the checked-in seeds
# (Fuzz/Corpus/TARGET, read only) and the corpus grown by earlier runs on this machine (Fuzz/.build/corpus/TARGET,
# not checked in). An input slower than FUZZ_TIMEOUT seconds (default 10) is a finding, as is a crash, a trap, a
# memory error, a leak or more than FUZZ_RSS_MB MB of memory (default 2048). A finding is saved as
# Fuzz/.build/findings/TARGET-crash-HASH (or -timeout-, -oom-, -leak-); reproduce it with
# `Fuzz/.build/release/FuzzTARGET FILE`. It must become a regression test in the normal suite (see
# docs/RELIABILITY.md). Exit status: 0 when no target found anything, else 1.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=${1:-all}
SECONDS_EACH=${2:-600}
TIMEOUT=${FUZZ_TIMEOUT:-10}
RSS_MB=${FUZZ_RSS_MB:-2048}
ALL="vcard icalendar mail package request-json"

binary() {
    case "$1" in
        vcard) echo FuzzVCard ;;
        icalendar) echo FuzzICalendar ;;
        mail) echo FuzzMail ;;
        package) echo FuzzPackage ;;
        request-json) echo FuzzRequestJSON ;;
        *) echo "unknown fuzz target '$1'; one of: $ALL" >&2; exit 2 ;;
    esac
}

build() {
    local start=$SECONDS
    # -parse-as-library: the targets have no main; libFuzzer's main calls LLVMFuzzerTestOneInput.
    # SwiftPM's --sanitize fuzzer links libFuzzer's main (and instruments C code) but instruments no Swift target
    # for coverage: -Xswiftc -sanitize=fuzzer,address does, on every Swift target.
    swift build --package-path Fuzz -c release --sanitize fuzzer --sanitize address \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
        2>&1 | grep -E "error:|warning: .*\.swift|Build complete" || true
    [ -x Fuzz/.build/release/FuzzVCard ] || { echo "the fuzz targets did not build" >&2; exit 1; }
    echo "fuzz targets built in $((SECONDS - start)) s"
}

run() {
    local name=$1 bin log corpus
    bin=Fuzz/.build/release/$(binary "$name")
    corpus=Fuzz/.build/corpus/$name
    log=Fuzz/.build/logs/$name.log
    mkdir -p "$corpus" Fuzz/.build/findings Fuzz/.build/logs
    echo "== $name: $SECONDS_EACH s (timeout $TIMEOUT s per input)"
    local status=0
    "$bin" "$corpus" "Fuzz/Corpus/$name" -max_total_time="$SECONDS_EACH" -timeout="$TIMEOUT" \
        -rss_limit_mb="$RSS_MB" -artifact_prefix="Fuzz/.build/findings/$name-" -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    local runs rate units
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    units=$(find "$corpus" -type f | wc -l)
    if [ "$status" -ne 0 ]; then
        echo "   FINDING (exit $status): see $log"
        grep -E "^==[0-9]+==ERROR|Fatal error|runtime failure|crashed:|^ +1 .* in |Test unit written to|ALARM|out-of-memory" "$log" | head -8 | sed 's/^/   /'
        return 1
    fi
    echo "   no finding: ${runs:-?} executions, ${rate:-?} per second, corpus $units inputs (+ seeds)"
}

build
[ "$TARGET" = build ] && exit 0
failed=0
if [ "$TARGET" = all ]; then
    for name in $ALL; do run "$name" || failed=1; done
else
    binary "$TARGET" >/dev/null
    run "$TARGET" || failed=1
fi
exit $failed
