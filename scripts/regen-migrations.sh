#!/usr/bin/env bash
# Until the first release the schema has one migration per provider: regenerate it after a model change.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
rm -rf src/Touchpoint/Storage/Migrations
dotnet ef migrations add Initial --project src/Touchpoint --context SqliteTouchpointDb --output-dir Storage/Migrations/Sqlite
dotnet ef migrations add Initial --project src/Touchpoint --context PostgresTouchpointDb --output-dir Storage/Migrations/Postgres
