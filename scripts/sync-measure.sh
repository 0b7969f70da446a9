#!/usr/bin/env bash
# Measures a first sync over loopback HTTP against a release crm-server: demo data of N records, then one
# device of a user pulls every page. A rough figure for people; the benchmarks of issue 8 are the reference.
#   scripts/sync-measure.sh [RECORDS] [USER] [FILTER] [PAGE]   (defaults: 100000 liam my-records 5000)
# A filter bringing more of a type than the package's limit for it is refused, as for any device.
set -euo pipefail
records=${1:-100000}
user=${2:-liam}
filter=${3:-my-records}
page=${4:-5000}
cd "$(dirname "$0")/.."
swift build -c release --product crm-server --scratch-path .build-release >/dev/null
bin=.build-release/release/crm-server
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
db="sqlite:$work/crm.sqlite"
echo "measure-password" | $bin demo-data --database "$db" --records "$records" --seed 1 --password-stdin --bcrypt-cost 4 >/dev/null
port=$((20000 + RANDOM % 20000))
$bin serve --database "$db" --port "$port" --bcrypt-cost 4 --max-sync-page "$page" --log-level error &
server=$!
url="http://127.0.0.1:$port/api/v1"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
login() { curl -sf -X POST "$url/sessions" -d "$1"; }
token=$(login "{\"username\":\"$user\",\"password\":\"measure-password\"}" | jq -r .token)
device=$(curl -sf -X POST "$url/devices" -H "Authorization: Bearer $token" -d '{"name":"measure"}' | jq -r .id)
token=$(login "{\"username\":\"$user\",\"password\":\"measure-password\",\"device\":\"$device\"}" | jq -r .token)
start=$(date +%s.%N)
begin=$(curl -s -X POST "$url/sync/begin" -H "Authorization: Bearer $token" \
    -d "{\"protocolVersion\":1,\"device\":\"$device\",\"timeZone\":\"UTC\",\"filter\":\"$filter\"}")
session=$(jq -er .session <<<"$begin") || { echo "begin refused: $begin" >&2; exit 1; }
began=$(date +%s.%N)
cursor=null total=0 pages=0
while :; do
    curl -sf -X POST "$url/sync/pull" -H "Authorization: Bearer $token" \
        -d "{\"protocolVersion\":1,\"session\":\"$session\",\"cursor\":$cursor,\"limit\":$page}" -o "$work/page.json"
    read -r count more next < <(jq -r '[(.upserts|length)+(.removes|length), .more, .cursor] | @tsv' "$work/page.json")
    total=$((total + count)) pages=$((pages + 1)) cursor="\"$next\""
    [[ $more == true ]] || break
done
end=$(date +%s.%N)
echo "preview: $(jq -c .preview <<<"$begin")"
printf 'begin %.2f s; pulled %d records in %d pages in %.2f s (%.0f records/s, server and curl/jq included)\n' \
    "$(bc <<<"$began - $start")" "$total" "$pages" "$(bc <<<"$end - $began")" "$(bc <<<"$total / ($end - $began)")"
