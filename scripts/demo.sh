#!/usr/bin/env bash
# The main job on the embedded default, in one go: a CRM server with demo data on a temporary SQLite file, a
# desktop set up against it (its replica in a temporary home folder), a first sync, a few records listed, an
# edit made offline (with the server stopped) and synced once the server is back, and the server showing it.
# Pass --keep to leave the server running and the folders in place afterwards (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
PASSWORD=${DEMO_PASSWORD:-demo-password}
swift build --product crm-server >/dev/null
swift build --product crm-desktop >/dev/null
BIN=$(swift build --show-bin-path)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/crm-demo.XXXXXX")
DB="sqlite:$WORK/crm.sqlite"
HOME_DIR="$WORK/desktop"
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
URL="http://127.0.0.1:$PORT"
SERVER=""
start_server() {
    "$BIN/crm-server" serve --database "$DB" --port "$PORT" 2>>"$WORK/server.log" &
    SERVER=$!
    for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && return; sleep 0.1; done
    echo "the server did not start; see $WORK/server.log" >&2
    exit 1
}
stop_server() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; SERVER=""; }
cleanup() { stop_server || true; [ "${1:-}" = "--keep" ] || rm -rf "$WORK"; }
trap 'cleanup "${KEEP:-}"' EXIT
[ "${1:-}" = "--keep" ] && KEEP=--keep
desktop() { echo "\$ crm-desktop $*"; "$BIN/crm-desktop" --home "$HOME_DIR" "$@"; }

echo "== a CRM server on $WORK/crm.sqlite with 5,000 demo records (every demo user's password: $PASSWORD)"
echo "$PASSWORD" | "$BIN/crm-server" demo-data --database "$DB" --records 5000 --seed 1 --password-stdin \
    --bcrypt-cost 10 | tail -1
start_server
echo "== serving on $URL"

echo "== liam (a sales rep) sets up his desktop and syncs for the first time"
echo "$PASSWORD" | desktop setup --server "$URL" --user liam --password-stdin --yes
desktop list Account --limit 5
ACCOUNT=$("$BIN/crm-desktop" --home "$HOME_DIR" list Account --limit 1 --format csv | sed -n 2p | cut -d, -f1)

echo "== the server goes away; liam keeps working offline"
stop_server
desktop edit Account "$ACCOUNT" city=Springfield phone="+1 555 0100"
desktop new Contact firstName=Ada lastName=Lovelace email=ada@example.com accountId="$ACCOUNT"
desktop status
desktop sync || echo "(sync failed while offline, as it should: the edits stay queued)"

echo "== the server is back; the next sync sends the edits"
start_server
desktop sync
desktop show Account "$ACCOUNT"

echo "== and the server has them (GET /api/v1/records/Account/$ACCOUNT as liam)"
TOKEN=$(curl -sf -X POST "$URL/api/v1/sessions" -H 'Content-Type: application/json' \
    -d "{\"username\":\"liam\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -sf "$URL/api/v1/records/Account/$ACCOUNT" -H "Authorization: Bearer $TOKEN" | python3 -c 'import json,sys
r = json.load(sys.stdin)
print("  %s, %s, %s  (version %s, updated by %s)" % (r["fields"]["name"], r["fields"].get("city"), r["fields"].get("phone"),
      r["version"], r["updatedBy"]))'
if [ -n "${KEEP:-}" ]; then
    echo "== still serving on $URL; the desktop's home is $HOME_DIR (Ctrl-C stops)"
    wait "$SERVER"
fi
