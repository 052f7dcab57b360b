#!/usr/bin/env bash
# Packs Ebb (the library, with its native helper) and Ebb.Cli (the `ebb` tool) into artifacts/
# (or the folder given as $1). Repository URL and commit come from git when the clone has a remote.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-artifacts}"
props=()
if url=$(git remote get-url origin 2>/dev/null); then props+=("-p:RepositoryUrl=$url"); fi
if commit=$(git rev-parse HEAD 2>/dev/null); then props+=("-p:RepositoryCommit=$commit"); fi
for project in src/Ebb src/Ebb.Cli; do
  dotnet pack "$project" -c Release -o "$out" --nologo "${props[@]}"
done
ls -l "$out"/*.nupkg
