#!/usr/bin/env bash
# The install guide ("Add Tracegate to your Backstage" in README.md), followed by a
# script as a new adopter would: a fresh app from @backstage/create-app, Tracegate's
# packed tarballs, the guide's snippets (each one checked to be in the README word for
# word, so the guide and this script cannot drift apart), then yarn tsc, the backend and
# frontend builds, the backend's health and contract routes, and the entity tab in
# Chromium. Needs only the npm registry. Exit status 0 when every step passed.
#
#   bash scripts/adoption-check.sh [work-dir]
#
# TRACEGATE_CREATE_APP_VERSION picks the create-app release (default: the one the guide
# was written against).
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/env.sh"
ensure_node >/dev/null

create_app_version="${TRACEGATE_CREATE_APP_VERSION:-0.9.2}"
work="${1:-$(mktemp -d -t tracegate-adoption-XXXX)}"
mkdir -p "$work"
app="$work/app"
port="${TRACEGATE_ADOPTION_PORT:-7317}"
guide="$root/README.md"
started=$SECONDS
backend_pid=""

say() { printf '\n== adoption check: %s (%ss)\n' "$*" "$((SECONDS - started))"; }
fail() {
  echo "ADOPTION CHECK FAILED: $*" >&2
  local log
  log="$(ls -t "$work"/*.log 2>/dev/null | head -1)"
  [ -n "$log" ] && [ "$log" != "$work/backend.log" ] && tail -30 "$log" >&2
  [ -f "$work/backend.log" ] && tail -30 "$work/backend.log" >&2
  exit 1
}
stop_backend() { [ -n "$backend_pid" ] && kill -TERM -- "-$backend_pid" 2>/dev/null; backend_pid=""; }
trap stop_backend EXIT

# Fails unless the guide holds `text` exactly (one line, leading spaces ignored).
in_guide() {
  grep -qF -- "$1" "$guide" || fail "the guide no longer says: $1 (README.md and scripts/adoption-check.sh disagree)"
}

# @backstage packages with more than one version in the app's lockfile.
backstage_doubles() {
  node -e '
    const lock = require("fs").readFileSync(process.argv[1], "utf8");
    const versions = {};
    for (const block of lock.split("\n\n")) {
      const name = (block.match(/^"?(@backstage\/[^@"]+)@/) || [])[1];
      const version = (block.match(/\n  version: (.*)/) || [])[1];
      if (name && version) (versions[name] ??= new Set()).add(version);
    }
    for (const [name, set] of Object.entries(versions))
      if (set.size > 1) console.log(`${name} ${[...set].sort().join(" ")}`);
  ' "$app/yarn.lock" | sort
}

say "packing Tracegate"
bash "$root/scripts/pack.sh" "$work/packages" >"$work/pack.log" 2>&1 || fail "scripts/pack.sh (see $work/pack.log)"

say "a fresh app from @backstage/create-app $create_app_version"
rm -rf "$app"
# create-app asks for the app's name on stdin; its first install has no lockfile, so
# it must not run immutable (as yarn does under CI=true).
echo tracegate-adopter | env -u CI YARN_ENABLE_IMMUTABLE_INSTALLS=false \
  npx -y "@backstage/create-app@$create_app_version" --path "$app" >"$work/create-app.log" 2>&1 ||
  fail "create-app (see $work/create-app.log)"
backstage_doubles >"$work/doubles-before.txt"

say "step 1: the packages from tarballs"
in_guide '"@tracegate/plugin-tracing": "file:./tracegate-packages/@tracegate-plugin-tracing-0.1.0.tgz",'
in_guide '"better-sqlite3": "~13.0.0"'
in_guide '"@backstage/plugin-signals-backend": "0.3.19"'
in_guide '`"@tracegate/plugin-tracing-backend": "^0.1.0"` to `packages/backend/package.json`'
in_guide '`"@tracegate/plugin-tracing": "^0.1.0"` to `packages/app/package.json`'
cp -r "$work/packages" "$app/tracegate-packages"
node -e '
  const fs = require("fs");
  const [app] = process.argv.slice(1);
  const edit = (file, change) => {
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    change(json);
    fs.writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
  };
  const tgz = name => `file:./tracegate-packages/@tracegate-${name}-0.1.0.tgz`;
  edit(`${app}/package.json`, json => {
    json.resolutions = {
      ...json.resolutions,
      "@tracegate/plugin-tracing": tgz("plugin-tracing"),
      "@tracegate/plugin-tracing-backend": tgz("plugin-tracing-backend"),
      "@tracegate/plugin-tracing-common": tgz("plugin-tracing-common"),
      "better-sqlite3": "~13.0.0",
      "@backstage/plugin-signals-backend": "0.3.19",
    };
  });
  edit(`${app}/packages/backend/package.json`, json => {
    json.dependencies["@tracegate/plugin-tracing-backend"] = "^0.1.0";
  });
  edit(`${app}/packages/app/package.json`, json => {
    json.dependencies["@tracegate/plugin-tracing"] = "^0.1.0";
  });
' "$app" || fail "editing package.json files"
(cd "$app" && env -u CI YARN_ENABLE_IMMUTABLE_INSTALLS=false yarn install >"$work/install.log" 2>&1) ||
  fail "yarn install with Tracegate (see $work/install.log)"

say "step 2: the backend"
in_guide "import { tracingPermissionPolicyModule } from '@tracegate/plugin-tracing-backend';"
in_guide "backend.add(tracingPermissionPolicyModule);"
in_guide "backend.add(import('@tracegate/plugin-tracing-backend'));"
in_guide "//   import('@backstage/plugin-permission-backend-module-allow-all-policy'),"
node -e '
  const fs = require("fs");
  const file = process.argv[1];
  let src = fs.readFileSync(file, "utf8");
  const allowAll = /backend\.add\(\s*import\(\x27@backstage\/plugin-permission-backend-module-allow-all-policy\x27\),?\s*\);\n/;
  if (!allowAll.test(src)) throw new Error("the template no longer adds the allow-all policy as the guide says");
  src = src.replace(allowAll, "backend.add(tracingPermissionPolicyModule);\nbackend.add(import(\x27@tracegate/plugin-tracing-backend\x27));\n");
  src = "import { tracingPermissionPolicyModule } from \x27@tracegate/plugin-tracing-backend\x27;\n" + src;
  fs.writeFileSync(file, src);
' "$app/packages/backend/src/index.ts" || fail "step 2 on packages/backend/src/index.ts"

say "step 3: the frontend (new frontend system: discovery, nothing to write)"
in_guide "nothing to write when \`app.packages: all\` is"
grep -q '^  packages: all' "$app/app-config.yaml" || fail "the template's app-config no longer sets app.packages: all"

say "steps 5 to 7: config, a Component with the annotation, the admin group"
in_guide "- name: prod-eu # required"
in_guide "serviceAccountToken: \${TRACEGATE_PROD_EU_TOKEN} # required: the token of step 4"
in_guide "\`website\`, ...) with \`backstage.io/kubernetes-id\`"
in_guide "members: [guest] # the template's example user"
# Loopback only: the guide's example cluster URL is not contacted from here (there is
# no cluster: its status says unreachable, which the tab shows).
cat >"$app/app-config.local.yaml" <<EOF
app:
  baseUrl: http://localhost:$port
backend:
  baseUrl: http://localhost:$port
  listen:
    port: $port
  database:
    client: better-sqlite3
    connection: ':memory:'
tracing:
  adminGroup: group:default/platform-admins
  clusters:
    - name: prod-eu
      url: https://127.0.0.1:1
      serviceAccountToken: \${TRACEGATE_PROD_EU_TOKEN}
      tempo:
        otlpEndpoint: tempo-distributor.tempo.svc:4317
        queryUrl: http://127.0.0.1:1
        grafanaUrl: http://127.0.0.1:1
        datasourceUid: tempo
EOF
node -e '
  const fs = require("fs");
  const [entities, org] = process.argv.slice(1);
  let src = fs.readFileSync(entities, "utf8");
  const website = "metadata:\n  name: example-website\n";
  if (!src.includes(website)) throw new Error("the template has no example-website Component");
  src = src.replace(website, website + "  annotations:\n    backstage.io/kubernetes-id: example-website\n");
  fs.writeFileSync(entities, src);
  fs.appendFileSync(org, "\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: platform-admins\nspec:\n  type: team\n  children: []\n  members: [guest] # the template\x27s example user\n");
' "$app/examples/entities.yaml" "$app/examples/org.yaml" || fail "editing the example catalog"

say "the app's @backstage packages: Tracegate adds no second copy"
backstage_doubles >"$work/doubles-after.txt"
added="$(comm -13 "$work/doubles-before.txt" "$work/doubles-after.txt")"
echo "already doubled by create-app itself: $(wc -l <"$work/doubles-before.txt")"
sed 's/^/  /' "$work/doubles-before.txt"
[ -z "$added" ] || fail "Tracegate brings second copies: $added"
# Which line Tracegate runs on in this app: its ranges admit 1.55 and the next one.
(cd "$app" && node -e '
  for (const [plugin, deps] of Object.entries({
    "@tracegate/plugin-tracing": ["plugin-catalog-react", "frontend-plugin-api", "core-compat-api"],
    "@tracegate/plugin-tracing-backend": ["plugin-catalog-node"],
  })) {
    const from = require.resolve(`${plugin}/package.json`);
    for (const dep of deps) {
      const version = require(require.resolve(`@backstage/${dep}/package.json`, { paths: [from] })).version;
      console.log(`${plugin} uses @backstage/${dep} ${version}`);
    }
  }
') || fail "reading the versions Tracegate resolved"

say "yarn tsc"
(cd "$app" && yarn tsc >"$work/tsc.log" 2>&1) || fail "yarn tsc (see $work/tsc.log)"

say "the backend build"
(cd "$app" && yarn build:backend >"$work/build-backend.log" 2>&1) || fail "yarn build:backend (see $work/build-backend.log)"

say "the frontend build"
(cd "$app" && yarn workspace app build >"$work/build-app.log" 2>&1) || fail "the frontend build (see $work/build-app.log)"

say "the backend serves Tracegate"
set -m
(cd "$app/packages/backend" && exec env TRACEGATE_PROD_EU_TOKEN=adoption-check-token \
  yarn start --config ../../app-config.yaml --config ../../app-config.local.yaml) >"$work/backend.log" 2>&1 &
backend_pid=$!
set +m
ready=""
for _ in $(seq 1 180); do
  curl -sf "http://localhost:$port/.backstage/health/v1/readiness" >/dev/null && { ready=1; break; }
  kill -0 "$backend_pid" 2>/dev/null || fail "the backend stopped at start-up"
  grep -q "Backend startup failed" "$work/backend.log" && fail "the backend failed at start-up"
  sleep 1
done
[ -n "$ready" ] || fail "the backend was not ready in 180 s"
# The guest's token, as the app's sign-in gets it; Tracegate's routes need a caller.
token="$(curl -sf -X POST -H 'X-Requested-With: XMLHttpRequest' "http://localhost:$port/api/auth/guest/refresh" |
  node -e 'let s = ""; process.stdin.on("data", d => (s += d)).on("end", () => console.log(JSON.parse(s).backstageIdentity.token))')" ||
  fail "signing in as the guest"
health="$(curl -sf -H "Authorization: Bearer $token" "http://localhost:$port/api/tracing/health")" || fail "GET /api/tracing/health"
echo "GET /api/tracing/health: $health"
[[ "$health" == *'"ok"'* ]] || fail "health is not ok: $health"
curl -sf -H "Authorization: Bearer $token" "http://localhost:$port/api/tracing/openapi.json" >"$work/openapi.json" ||
  fail "GET /api/tracing/openapi.json"
node -e '
  const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const paths = Object.keys(c.paths ?? {});
  console.log(`GET /api/tracing/openapi.json: OpenAPI ${c.openapi}, ${paths.length} paths`);
  if (!paths.some(p => p.endsWith("/requests"))) process.exit(1);
' "$work/openapi.json" || fail "the served contract has no /requests (see $work/openapi.json)"

say "the entity tab in Chromium"
(cd "$root/e2e" && TRACEGATE_ADOPTION_URL="http://localhost:$port" \
  yarn playwright test --config adoption.config.ts) || fail "the entity tab in Chromium"

stop_backend
# A folder of our own making goes on success (kept on failure, for its logs).
[ -z "${1:-}" ] && rm -rf "$work"
say "passed: create-app $create_app_version, the guide's steps, tsc, both builds, health, contract, the tab"
