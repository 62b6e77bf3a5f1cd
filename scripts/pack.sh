#!/usr/bin/env bash
# Builds and packs the four publishable packages into one folder (default
# dist-packages/), as `yarn npm publish` would upload them, and checks each
# tarball: built code, types, LICENSE, CHANGELOG, and no workspace: ranges.
#   bash scripts/pack.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$TRACEGATE_ROOT"
ensure_node >/dev/null
ensure_dependencies >/dev/null
out="$(realpath -m "${1:-dist-packages}")"
rm -rf "$out" && mkdir -p "$out"

# The package.json fields Backstage's tooling expects of published packages.
yarn backstage-cli repo fix --publish --check
yarn tsc # the declarations the package builds bundle
for pkg in tracing-common tracing-backend tracing scaffolder-backend-module-tracing; do
  name="@tracegate/plugin-$pkg"
  yarn workspace "$name" build
  yarn workspace "$name" pack --out "$out/%s-%v.tgz" >/dev/null
done

status=0
for tarball in "$out"/*.tgz; do
  listing="$(tar -tzf "$tarball")"
  manifest="$(tar -xzOf "$tarball" package/package.json)"
  for file in package/LICENSE package/CHANGELOG.md package/dist/index.d.ts; do
    grep -qx "$file" <<<"$listing" || { echo "$tarball: no $file" >&2; status=1; }
  done
  grep -q 'workspace:' <<<"$manifest" && { echo "$tarball: workspace: range left" >&2; status=1; }
  grep -q "\"main\": \"\./dist/" <<<"$manifest" || { echo "$tarball: main is not dist/" >&2; status=1; }
  grep -q '"private"' <<<"$manifest" && { echo "$tarball: private" >&2; status=1; }
  echo "$(basename "$tarball"): $(wc -l <<<"$listing") files, $(du -k "$tarball" | cut -f1) KB"
done
[ "$(ls "$out"/*.tgz | wc -l)" -eq 4 ] || { echo "expected 4 tarballs" >&2; status=1; }
exit $status
