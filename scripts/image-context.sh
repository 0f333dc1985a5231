#!/usr/bin/env bash
# Prepares the build context of the Dockerfile in DIR: dist/ (the runtime
# part: cache, server, src, with the built-in Pipy base scripts beside the
# compiled loader), proto/, package.json and the production dependencies,
# copied from this checkout's node_modules (no network). Run after
# `npm ci && npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/image-context.sh DIR}
[ -f dist/src/cli/main.js ] || { echo "dist/ is missing: run npm run build first" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/dist" "$out/node_modules"
cp -R dist/cache dist/server dist/src "$out/dist/"
cp -R src/pipy-base/default "$out/dist/src/pipy-base/default"
cp -R proto "$out/proto"
cp package.json package-lock.json "$out/"
# What --version and fsm_version_info report beside the version (src/shared/build-info.ts).
commit=$(git rev-parse HEAD 2>/dev/null || true)
printf '{"gitCommit":"%s","buildDate":"%s"}\n' "$commit" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$out/build-info.json"
# Every production dependency, at its place in the tree (npm ls lists their directories).
npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2 | while read -r dir; do
  rel=${dir#"$PWD"/}
  mkdir -p "$out/$(dirname "$rel")"
  [ -e "$out/$rel" ] || cp -R "$rel" "$out/$rel"
done
echo "$out: $(du -sh "$out" | cut -f1)"
