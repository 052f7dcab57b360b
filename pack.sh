#!/usr/bin/env bash
# Packs Ebb (the library, with its native helper) and Ebb.Cli (the `ebb` tool) into artifacts/
# (or the folder given as $1). The repository commit (HEAD) and URL (origin's, when there is one)
# are filled in by the build itself (Directory.Build.props), so a plain `dotnet pack` says the same.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-artifacts}"
for project in src/Ebb src/Ebb.Cli; do
  dotnet pack "$project" -c Release -o "$out" --nologo
done
ls -l "$out"/*.nupkg
