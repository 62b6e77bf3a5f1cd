#!/usr/bin/env bash
# The one command that starts Tracegate locally: installs what is missing
# (Node 24, dependencies), starts the local Kubernetes cluster `local`
# (data/kube), then the backend on :7007 and the frontend on :3000 with the
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
cluster_pid=""
app_pid=""
stop_all() {
  [ -n "$app_pid" ] && kill -TERM -- "-$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
  [ -n "$cluster_pid" ] && kill -TERM -- "-$cluster_pid" 2>/dev/null && wait "$cluster_pid" 2>/dev/null
  return 0
}
trap stop_all EXIT
trap 'exit 130' INT TERM

if ensure_go; then
  bash test/kube/build.sh >/dev/null
  rm -f data/kube/cluster.json
  (cd test/kube && exec node --require @backstage/cli/config/nodeTransform.cjs src/cli.ts start --dir ../../data/kube) &
  cluster_pid=$!
  for _ in $(seq 1 240); do
    [ -f data/kube/cluster.json ] && break
    kill -0 "$cluster_pid" 2>/dev/null || { echo "the local cluster failed to start" >&2; exit 1; }
    sleep 0.5
  done
  [ -f data/kube/cluster.json ] || { echo "the local cluster did not start in 120s" >&2; exit 1; }
  TRACEGATE_LOCAL_CLUSTER_URL="$(node -p 'require("./data/kube/cluster.json").url')"
  TRACEGATE_LOCAL_CLUSTER_TOKEN="$(cat data/kube/tracegate.token)"
  export TRACEGATE_LOCAL_CLUSTER_URL TRACEGATE_LOCAL_CLUSTER_TOKEN
else
  echo "tracegate: Go not found; starting without the local cluster" >&2
fi

yarn start "$@" &
app_pid=$!
wait "$app_pid"
