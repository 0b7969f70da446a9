#!/usr/bin/env bash
# Installs crm-server as a systemd service (docs/OPERATIONS.md): the release binary, a dedicated system user,
# its state directory and the unit file. Run as root from a checkout:
#   deploy/install.sh                      build the release binary here, install under /usr/local, start it
#   deploy/install.sh --binary PATH        install a binary built elsewhere instead of building
#   deploy/install.sh --prefix DIR         install under DIR (bin/, share/doc/) instead of /usr/local
#   deploy/install.sh --dry-run            print each step instead of doing it
# An existing unit file is replaced (keep local flags in a drop-in: systemctl edit crm-server); the database is
# never touched: the new binary migrates it when it starts.
set -euo pipefail

prefix=/usr/local
binary=""
dry_run=0
user=crm
state_dir=/var/lib/crm-server
unit_dir=/etc/systemd/system
root=""

usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
        --binary) binary=${2:?--binary needs a path}; shift 2 ;;
        --dry-run) dry_run=1; shift ;;
        --user) user=${2:?--user needs a name}; shift 2 ;;
        # For tests and packaging: install into a staging root instead of /.
        --root) root=${2:?--root needs a directory}; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

here=$(cd "$(dirname "$0")/.." && pwd)

run() {
    if [ "$dry_run" = 1 ]; then
        printf '+'
        printf ' %q' "$@"
        printf '\n'
    else
        "$@"
    fi
}

if [ -z "$binary" ]; then
    run swift build -c release --product crm-server --package-path "$here"
    binary="$here/.build/release/crm-server"
fi
if [ "$dry_run" = 0 ] && [ ! -x "$binary" ]; then
    echo "install.sh: no executable crm-server at $binary" >&2
    exit 1
fi

run install -d "$root$prefix/bin" "$root$prefix/share/doc/crm-server" "$root$unit_dir"
run install -m 0755 "$binary" "$root$prefix/bin/crm-server"
run install -m 0644 "$here/docs/OPERATIONS.md" "$root$prefix/share/doc/crm-server/OPERATIONS.md"

# The unit names /usr/local/bin/crm-server; another prefix is written into the installed copy.
unit_text=$(sed "s#/usr/local/bin/crm-server#$prefix/bin/crm-server#; s#/usr/local/share/doc#$prefix/share/doc#; s#^User=crm#User=$user#; s#^Group=crm#Group=$user#" \
    "$here/deploy/crm-server.service")
if [ "$dry_run" = 1 ]; then
    echo "+ write $root$unit_dir/crm-server.service (ExecStart: $prefix/bin/crm-server serve ...)"
else
    printf '%s\n' "$unit_text" > "$root$unit_dir/crm-server.service"
    chmod 0644 "$root$unit_dir/crm-server.service"
fi

if [ -n "$root" ]; then
    # A staging root: no users, no systemd.
    run install -d -m 0750 "$root$state_dir"
    exit 0
fi

if ! getent passwd "$user" >/dev/null; then
    run useradd --system --user-group --home-dir "$state_dir" --no-create-home --shell /usr/sbin/nologin "$user"
fi
run install -d -m 0750 -o "$user" -g "$user" "$state_dir"

if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    run systemctl daemon-reload
    run systemctl enable crm-server.service
    run systemctl restart crm-server.service
    echo "crm-server is running: systemctl status crm-server; journalctl -u crm-server"
else
    echo "systemd is not running here: start it with $prefix/bin/crm-server serve (see $unit_dir/crm-server.service)"
fi
