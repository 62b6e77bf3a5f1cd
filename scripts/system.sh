# Sourced by scripts/test.sh: system packages and a private PostgreSQL.
# shellcheck shell=bash

ensure_system_packages() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root" >&2
    return 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_go() {
  command -v go >/dev/null && return 0
  [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH" && return 0
  return 1
}

# Starts a throw-away PostgreSQL on a free port and exports the connection
# string under the name Backstage's TestDatabases reads for that major version.
start_test_postgres() {
  local bin port major
  bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
  major="$(basename "$(dirname "$bin")")"
  port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  TRACEGATE_PGDATA="$(mktemp -d -t tracegate-pg-XXXX)"
  export TRACEGATE_PGDATA TRACEGATE_PGBIN="$bin"
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$TRACEGATE_PGDATA"
    run=(runuser -u postgres --) # initdb refuses to run as root
  fi
  "${run[@]}" "$bin/initdb" -D "$TRACEGATE_PGDATA" -U postgres -A trust >/dev/null || return 1
  "${run[@]}" "$bin/pg_ctl" -D "$TRACEGATE_PGDATA" -w -l "$TRACEGATE_PGDATA/log" \
    -o "-p $port -k $TRACEGATE_PGDATA -c listen_addresses=127.0.0.1" start >/dev/null || return 1
  export TRACEGATE_TEST_POSTGRES_ID="POSTGRES_$major"
  export "BACKSTAGE_TEST_DATABASE_POSTGRES${major}_CONNECTION_STRING=postgresql://postgres@127.0.0.1:$port"
  echo "PostgreSQL $major on 127.0.0.1:$port"
}

stop_test_postgres() {
  [ -n "${TRACEGATE_PGDATA:-}" ] || return 0
  local run=()
  [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$TRACEGATE_PGBIN/pg_ctl" -D "$TRACEGATE_PGDATA" -m fast stop >/dev/null 2>&1
  rm -rf "$TRACEGATE_PGDATA"
}

# Starts the local Kubernetes control plane (test/kube) with its state in DIR,
# the local trace store (Jaeger) and the demo traffic, waits for them, and
# exports what app-config.yaml's cluster `local` reads.
# Sets TRACEGATE_CLUSTER_PID; stop_local_cluster ends it.
start_local_cluster() {
  local dir="$1"
  rm -f "$dir/cluster.json" "$dir/traces.json" "$dir/git.json"
  (cd "$TRACEGATE_ROOT/test/kube" && exec node --require @backstage/cli/config/nodeTransform.cjs src/cli.ts start --dir "$dir") &
  TRACEGATE_CLUSTER_PID=$!
  for _ in $(seq 1 240); do
    [ -f "$dir/traces.json" ] && break
    kill -0 "$TRACEGATE_CLUSTER_PID" 2>/dev/null || { echo "the local cluster failed to start" >&2; return 1; }
    sleep 0.5
  done
  [ -f "$dir/traces.json" ] || { echo "the local cluster did not start in 120s" >&2; return 1; }
  TRACEGATE_LOCAL_CLUSTER_URL="$(node -p 'require(process.argv[1]).url' "$dir/cluster.json")"
  TRACEGATE_LOCAL_CLUSTER_TOKEN="$(cat "$dir/tracegate.token")"
  TRACEGATE_LOCAL_CLUSTER_CA_FILE="$dir/ca.crt"
  TRACEGATE_LOCAL_TRACES_URL="$(node -p 'require(process.argv[1]).queryUrl' "$dir/traces.json")"
  TRACEGATE_LOCAL_GIT_URL="$(node -p 'require(process.argv[1]).url' "$dir/git.json")"
  TRACEGATE_LOCAL_GIT_TOKEN="$(node -p 'require(process.argv[1]).password' "$dir/git.json")"
  export TRACEGATE_LOCAL_CLUSTER_URL TRACEGATE_LOCAL_CLUSTER_TOKEN TRACEGATE_LOCAL_CLUSTER_CA_FILE TRACEGATE_LOCAL_TRACES_URL \
    TRACEGATE_LOCAL_GIT_URL TRACEGATE_LOCAL_GIT_TOKEN
}

stop_local_cluster() {
  [ -n "${TRACEGATE_CLUSTER_PID:-}" ] || return 0
  kill -TERM -- "-$TRACEGATE_CLUSTER_PID" 2>/dev/null || kill -TERM "$TRACEGATE_CLUSTER_PID" 2>/dev/null
  wait "$TRACEGATE_CLUSTER_PID" 2>/dev/null
  TRACEGATE_CLUSTER_PID=""
}
