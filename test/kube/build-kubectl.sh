#!/usr/bin/env bash
# Builds kubectl (k8s.io/kubernetes/cmd/kubectl, the control plane's release)
# once per go.mod and prints its path. The GitOps stand-in applies with it.
# `go install` refuses k8s.io/kubernetes (its go.mod has replaces), so it is
# built in a throw-away copy of this module, whose go.sum gains kubectl's
# own modules there (cold: about 3 minutes; warm: a cache lookup).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
k8s_version="$(sed -n 's/^\tk8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' "$here/go.mod")"
key="$( (cat "$here/go.mod"; echo kubectl) | sha256sum | cut -c1-16)"
out_dir="${TRACEGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tracegate}/kubectl-$key"
binary="$out_dir/kubectl"
if [ ! -x "$binary" ]; then
  command -v go >/dev/null || { echo "kubectl: Go is required to build kubectl" >&2; exit 1; }
  echo "kubectl: building k8s.io/kubernetes/cmd/kubectl $k8s_version (cold: about 3 minutes)" >&2
  start=$(date +%s)
  mkdir -p "$out_dir"
  tmp="$(mktemp -d "$out_dir/build.XXXX")"
  trap 'rm -rf "$tmp"' EXIT
  cp "$here/go.mod" "$here/go.sum" "$tmp/"
  sed -i 's#^module .*#module kubectl-build#' "$tmp/go.mod"
  minor="$(echo "$k8s_version" | cut -d. -f2)"
  pkg=k8s.io/component-base/version
  ldflags="-s -w -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  (cd "$tmp" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags "$ldflags" -o "$tmp/kubectl" k8s.io/kubernetes/cmd/kubectl)
  mv "$tmp/kubectl" "$binary"
  echo "kubectl: built in $(($(date +%s) - start))s" >&2
fi
echo "$binary"
