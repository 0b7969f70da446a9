#!/usr/bin/env bash
# The main job on the embedded default: a CRM server on SQLite under ./crm-data/ with demo data, and a real
# request against it. Pass --serve to keep the server running afterwards (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8080}
PASSWORD=${DEMO_PASSWORD:-demo-password}
swift build --product crm-server
BIN=$(swift build --show-bin-path)/crm-server

if [ ! -f crm-data/crm.sqlite ]; then
    echo "== filling ./crm-data/crm.sqlite with demo data (password of every demo user: $PASSWORD)"
    echo "$PASSWORD" | "$BIN" demo-data --records 5000 --seed 1 --password-stdin
fi

"$BIN" serve --port "$PORT" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

echo "== POST /api/v1/sessions as liam (a sales rep)"
TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/sessions" -H 'Content-Type: application/json' \
    -d "{\"username\":\"liam\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
echo "== GET /api/v1/records/Account?limit=3&sort=name (only liam's accounts: personal visibility)"
curl -sf "http://127.0.0.1:$PORT/api/v1/records/Account?limit=3&sort=name" -H "Authorization: Bearer $TOKEN" \
    | python3 -c 'import json,sys
page = json.load(sys.stdin)
for r in page["records"]:
    f = r["fields"]
    print("  %-40s %-12s owner %s  version %s" % (f["name"], f.get("city", ""), r["owner"], r["version"]))'
echo "== POST /api/v1/records/Contact"
curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/records/Contact" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d '{"fields":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"}}'
echo
echo "== the same create with a bad email is refused, naming the field"
curl -s -X POST "http://127.0.0.1:$PORT/api/v1/records/Contact" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d '{"fields":{"lastName":"Lovelace","email":"not-an-address"}}'
echo
if [ "${1:-}" = "--serve" ]; then
    echo "== serving on http://127.0.0.1:$PORT (Ctrl-C stops)"
    wait $SERVER
fi
