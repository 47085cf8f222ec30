#!/usr/bin/env bash
# Starts a private PostgreSQL on a free loopback port for one command, then removes it.
# Usage: bench/with-postgres.sh dotnet run -c Release --project bench/Touchpoint.Bench -- import 1000000 '$PG'
# The literal $PG in the arguments is replaced by the connection string.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/touchpoint-bench-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
run "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync >/dev/null
run "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c max_wal_size=4GB" start >/dev/null
trap 'run "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; rm -rf "$dir"' EXIT
cs="Host=127.0.0.1;Port=$port;Username=postgres;Database=bench;Timeout=60;Command Timeout=0"
args=(); for a in "$@"; do args+=("${a//\$PG/$cs}"); done
"${args[@]}"
