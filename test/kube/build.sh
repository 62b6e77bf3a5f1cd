#!/usr/bin/env bash
# Builds the tracegate-kube binary once per go.sum and prints its path.
# The binary lives in the user's cache folder, keyed by go.sum and the
# sources, so fresh clones on the same machine reuse it; Go's own module and
# build caches make a rebuild after a source change take seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
k8s_version="$(sed -n 's/^\tk8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' "$here/go.mod")"
# The real prometheus-operator CRDs, as shipped in the operator's Go module.
prometheus_operator_version=v0.85.0
key="$( (cat "$here/go.sum" "$here/go.mod" "$here"/cmd/tracegate-kube/*.go; echo "$prometheus_operator_version") | sha256sum | cut -c1-16)"
out_dir="${TRACEGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tracegate}/kube-$key"
binary="$out_dir/tracegate-kube"
if [ ! -x "$binary" ]; then
  command -v go >/dev/null || { echo "tracegate-kube: Go is required to build the local control plane" >&2; exit 1; }
  minor="$(echo "$k8s_version" | cut -d. -f2)"
  pkg=k8s.io/component-base/version
  ldflags="-s -w -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  mkdir -p "$out_dir"
  echo "tracegate-kube: building kube-apiserver $k8s_version (cold: several minutes)" >&2
  start=$(date +%s)
  (cd "$here" && CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags "$ldflags" -o "$binary.tmp" ./cmd/tracegate-kube)
  operator_dir="$(cd "${TMPDIR:-/tmp}" && go mod download -json "github.com/prometheus-operator/prometheus-operator@$prometheus_operator_version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  mkdir -p "$out_dir/crds"
  cp "$operator_dir/example/prometheus-operator-crd/monitoring.coreos.com_prometheuses.yaml" "$out_dir/crds/"
  chmod u+w "$out_dir/crds"/*.yaml
  mv "$binary.tmp" "$binary"
  echo "tracegate-kube: built in $(($(date +%s) - start))s" >&2
fi
echo "$binary"
