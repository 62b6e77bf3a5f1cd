#!/usr/bin/env bash
# Regenerates test/beyla-oracle/fixtures from Beyla's own code. Runs where a
# grafana/beyla git mirror is available (CI only reads the fixtures):
#
#   bash test/beyla-oracle/run.sh --mirror <beyla .git dir> v3.33.0 v2.5.1
#
# For each tag: takes go.mod, go.sum, pkg/, vendor/ and cmd/ of the tag from
# the mirror into the cache (blobs the mirror lacks become empty files: the
# eBPF objects and Java agent, which the config, naming and matching code
# never loads), adds the oracle (go/) to that tree, builds it with the tree's
# vendored modules, and runs it with an empty environment in a network
# namespace of its own (Beyla asks cloud metadata endpoints when it starts;
# the oracle never starts Beyla, but nothing it links may reach out).
# The inputs (pods and Tracegate's rendered configurations) come from
# `yarn workspace @internal/beyla-oracle inputs` first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mirror=""
tags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --mirror) mirror="$2"; shift 2 ;;
    *) tags+=("$1"); shift ;;
  esac
done
[ -n "$mirror" ] && [ ${#tags[@]} -gt 0 ] || { echo "usage: run.sh --mirror <beyla git dir> <tag>..." >&2; exit 2; }
cache="${TRACEGATE_CACHE:-$HOME/.cache/tracegate}/beyla-oracle"
mkdir -p "$cache" "$here/fixtures"
export PATH="/usr/local/go/bin:$PATH"

extract() { # extract TAG DEST
  local tag="$1" dest="$2"
  rm -rf "$dest" && mkdir -p "$dest"
  git --git-dir="$mirror" ls-tree -r "$tag" -- go.mod go.sum pkg vendor cmd |
    awk -F'\t' '$1 ~ / blob / { split($1, m, " "); print m[3] "\t" $2 }' >"$dest/.blobs"
  # One cat-file for all blobs; a blob the mirror lacks is an empty file.
  python3 - "$mirror" "$dest" <<'PY'
import os, subprocess, sys
mirror, dest = sys.argv[1], sys.argv[2]
blobs = [line.rstrip('\n').split('\t', 1) for line in open(os.path.join(dest, '.blobs'))]
cat = subprocess.Popen(['git', '--git-dir', mirror, 'cat-file', '--batch'],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
for sha, path in blobs:
    cat.stdin.write((sha + '\n').encode()); cat.stdin.flush()
    header = cat.stdout.readline().decode().split()
    data = b''
    if header[-1] != 'missing':
        data = cat.stdout.read(int(header[2])); cat.stdout.read(1)
    else:
        print('not in the mirror (left empty):', path, file=sys.stderr)
    full = os.path.join(dest, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, 'wb') as out: out.write(data)
cat.stdin.close(); cat.wait()
PY
}

for tag in "${tags[@]}"; do
  version="${tag#v}"
  src="$cache/src-$tag"
  commit="$(git --git-dir="$mirror" rev-parse "$tag^{commit}")"
  if [ ! -f "$src/.commit" ] || [ "$(cat "$src/.commit")" != "$commit" ]; then
    echo "beyla-oracle: extracting $tag ($commit)" >&2
    extract "$tag" "$src"
    echo "$commit" >"$src/.commit"
  fi
  module="$(awk '/^module /{print $2; exit}' "$src/go.mod")"
  if [ -d "$src/vendor/go.opentelemetry.io/obi" ]; then
    obi="go.opentelemetry.io/obi"
    cp "$here/go/obi/discover_hook.go" "$src/vendor/$obi/pkg/appolly/discover/zz_tracegate_oracle.go"
    cp "$here/go/obi/meta_hook.go" "$src/vendor/$obi/pkg/kube/kubecache/meta/zz_tracegate_oracle.go"
    discover="$obi/pkg/appolly/discover"
  else
    obi="github.com/open-telemetry/opentelemetry-ebpf-instrumentation"
    cp "$here/go/oteb/discover_hook.go" "$src/vendor/$obi/pkg/components/discover/zz_tracegate_oracle.go"
    cp "$here/go/oteb/meta_hook.go" "$src/vendor/$obi/pkg/kubecache/meta/zz_tracegate_oracle.go"
    discover="$obi/pkg/components/discover"
  fi
  mkdir -p "$src/cmd/tracegate-beyla-oracle"
  sed -e "s#github.com/grafana/beyla/v3#$module#" \
    -e "s#go.opentelemetry.io/obi/pkg/appolly/discover#$discover#" \
    "$here/go/main.go" >"$src/cmd/tracegate-beyla-oracle/main.go"
  echo "beyla-oracle: building against $module at $tag" >&2
  (cd "$src" && GOFLAGS=-mod=vendor GOSUMDB=off GOTOOLCHAIN=local go build -o "$cache/oracle-$tag" ./cmd/tracegate-beyla-oracle)
  echo "beyla-oracle: running for Beyla $version" >&2
  unshare --net env -i "$cache/oracle-$tag" \
    -inputs "$here/inputs" -beyla "$version" -source "grafana/beyla $tag ($commit)" \
    -out "$here/fixtures/beyla-$version.json"
done
