#!/usr/bin/env bash
# Builds Jaeger v2 (Apache-2.0), the local trace store of the tests and the
# demo, once per version from the Go module proxy, and prints the path of the
# `jaeger` binary. `go install` refuses the module (its go.mod has a
# `replace`), so it is built in a throw-away tool module instead.
set -euo pipefail
version=v1.76.0
out_dir="${TRACEGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tracegate}/jaeger-$version"
if [ ! -x "$out_dir/jaeger" ]; then
  command -v go >/dev/null || { echo "jaeger: Go is required to build Jaeger" >&2; exit 1; }
  echo "jaeger: building github.com/jaegertracing/jaeger/cmd/jaeger $version (cold: about 5 minutes)" >&2
  start=$(date +%s)
  mkdir -p "$(dirname "$out_dir")"
  # A folder of this build's own: two builds at once never mix their files.
  tmp="$(mktemp -d "$out_dir.XXXX")"
  trap 'rm -rf "$tmp"' EXIT
  mkdir "$tmp/tool"
  (
    cd "$tmp/tool"
    go mod init tracegate.local/jaeger-build >/dev/null 2>&1
    go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$version" >&2
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger
  )
  rm -rf "$tmp/tool"
  rm -rf "$out_dir" && mv "$tmp" "$out_dir"
  echo "jaeger: built in $(($(date +%s) - start))s" >&2
fi
echo "$out_dir/jaeger"
