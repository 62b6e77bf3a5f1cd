#!/usr/bin/env bash
# The one command that starts Tracegate locally: installs what is missing
# (Node 24, dependencies), starts the local Kubernetes cluster `local`
# (data/kube) with its trace store (Jaeger) and demo traffic, then the backend on :7007 and the frontend on :3000 with the
# demo catalog and a SQLite database in data/sqlite. Ctrl-C stops everything.
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/system.sh"
cd "$TRACEGATE_ROOT"
ensure_node
ensure_dependencies
mkdir -p data

# Every child runs in a process group of its own (job control), so that
# stopping tears down whole trees: yarn, backstage-cli, backend, frontend.
set -m
app_pid=""
stop_all() {
  [ -n "$app_pid" ] && kill -TERM -- "-$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
  stop_local_cluster
  return 0
}
trap stop_all EXIT
trap 'exit 130' INT TERM

if ensure_go; then
  bash test/kube/build.sh >/dev/null
  bash test/kube/build-kwok.sh >/dev/null
  bash test/jaeger/build.sh >/dev/null
  bash test/kube/build-kubectl.sh >/dev/null
  start_local_cluster "$TRACEGATE_ROOT/data/kube"
else
  echo "tracegate: Go not found; starting without the local cluster" >&2
fi

yarn start "$@" &
app_pid=$!
wait "$app_pid"
