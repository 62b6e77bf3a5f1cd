#!/usr/bin/env bash
# Builds KWOK (Kubernetes SIG Scheduling's kubelet simulator) once per version
# and prints the folder holding the `kwok` binary and `stages.yaml`, the
# "fast" node and pod stages of the same module (KWOK exits "no stages found"
# without them). KWOK needs newer k8s.io modules than the control plane, so it
# is built on its own from the Go module proxy, not in test/kube/go.mod.
set -euo pipefail
version=v0.8.0
out_dir="${TRACEGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tracegate}/kwok-$version"
if [ ! -x "$out_dir/kwok" ] || [ ! -f "$out_dir/stages.yaml" ]; then
  command -v go >/dev/null || { echo "kwok: Go is required to build KWOK" >&2; exit 1; }
  echo "kwok: building sigs.k8s.io/kwok $version (cold: about 2 minutes)" >&2
  start=$(date +%s)
  mkdir -p "$(dirname "$out_dir")"
  # A folder of this build's own: two builds at once never mix their files.
  tmp="$(mktemp -d "$out_dir.XXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "${TMPDIR:-/tmp}" && GOBIN="$tmp" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$version")
  module_dir="$(cd "${TMPDIR:-/tmp}" && go mod download -json "sigs.k8s.io/kwok@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  stages="$module_dir/kustomize/stage"
  for file in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"
    cat "$stages/$file"
  done >"$tmp/stages.yaml"
  rm -rf "$out_dir" && mv "$tmp" "$out_dir"
  echo "kwok: built in $(($(date +%s) - start))s" >&2
fi
echo "$out_dir"
