#!/usr/bin/env bash
# Adds a migration to both providers after a model change: scripts/add-migration.sh NameOfTheChange
# (Databases people already run are upgraded by the new migration; never regenerate the existing ones.)
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: scripts/add-migration.sh NameOfTheChange}"
dotnet tool restore >/dev/null
dotnet ef migrations add "$name" --project src/Touchpoint --context SqliteTouchpointDb --output-dir Storage/Migrations/Sqlite
dotnet ef migrations add "$name" --project src/Touchpoint --context PostgresTouchpointDb --output-dir Storage/Migrations/Postgres
