#!/usr/bin/env bash
# The one command that runs every Tracegate check on a fresh machine:
# installs what is missing (Node 24, dependencies, Chromium and PostgreSQL via
# apt when root, the local control plane build), then runs lint, typecheck,
# unit/integration tests on SQLite and PostgreSQL, and the Playwright e2e in
# Chromium. Ends with one line "N passed, N failed" over all of them.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$TRACEGATE_ROOT"
export CI=true # also keeps jest out of watch mode
results="$TRACEGATE_ROOT/test-results"
rm -rf "$results" && mkdir -p "$results"

step() { printf '\n==> %s\n' "$*"; }
fail_setup() { echo "tracegate test: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

step "Node and dependencies"
ensure_node || fail_setup "could not install Node 24"
ensure_dependencies || fail_setup "yarn install failed"

step "System packages (Chromium, PostgreSQL)"
source "$TRACEGATE_ROOT/scripts/system.sh"
ensure_system_packages || fail_setup "could not install Chromium/PostgreSQL"
start_test_postgres || fail_setup "could not start PostgreSQL"
trap stop_test_postgres EXIT

step "Local Kubernetes control plane, KWOK, Jaeger and kubectl builds"
ensure_go || fail_setup "Go is needed to build the local control plane"
bash test/kube/build.sh >/dev/null || fail_setup "building the control plane failed"
bash test/kube/build-kwok.sh >/dev/null || fail_setup "building KWOK (the fake nodes) failed"
bash test/jaeger/build.sh >/dev/null || fail_setup "building Jaeger (the local trace store) failed"
bash test/kube/build-kubectl.sh >/dev/null || fail_setup "building kubectl (the GitOps stand-in's) failed"

passed=0
failed=0
check() { # check NAME COMMAND...: a pass/fail check that is not a test runner
  step "$1"
  if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi
}

check "lint" yarn lint
check "typecheck" yarn tsc
# Uses the declarations the typecheck just wrote.
check "API reports match the exports (yarn build:api-reports to update)" yarn build:api-reports:only --ci
check "the OpenAPI contract: Backstage's lint and validation, and the code generated from it is current (yarn openapi:generate)" yarn openapi:check
check "the four packages build and pack" bash scripts/pack.sh "$results/packages"
# In a temporary folder outside this repository (a Yarn project may not nest in another).
check "the install guide, followed in a fresh create-app app (scripts/adoption-check.sh)" bash scripts/adoption-check.sh

step "unit and integration tests (jest; SQLite and PostgreSQL)"
yarn backstage-cli repo test --json --outputFile="$results/jest.json"
if [ -f "$results/jest.json" ]; then
  read -r p f < <(node -e 'const r=require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites)' "$results/jest.json")
  passed=$((passed + p)); failed=$((failed + f))
else
  failed=$((failed + 1)); echo "FAILED: jest wrote no results"
fi

step "e2e (Playwright in Chromium)"
set -m # the cluster runs in a process group of its own, stopped as a whole
e2e_kube_dir="$(mktemp -d -t tracegate-e2e-kube-XXXX)"
trap 'stop_local_cluster; stop_test_postgres; rm -rf "$e2e_kube_dir"' EXIT
if ! start_local_cluster "$e2e_kube_dir"; then
  failed=$((failed + 1)); echo "FAILED: starting the local cluster for e2e"
elif yarn workspace app build; then
  # Each spec alone, with a backend (and database) of its own on the one
  # cluster: a spec that needs another to have run first fails here.
  for spec in e2e/tests/*.spec.ts; do
    spec_results="$results/e2e-$(basename "$spec" .spec.ts).json"
    # A spec's own config, when it has one (gitops: cluster `local` via git).
    spec_config="e2e/app-config.$(basename "$spec" .spec.ts).e2e.yaml"
    [ -f "$spec_config" ] || spec_config=""
    (cd e2e && TRACEGATE_E2E_EXTRA_CONFIG="$spec_config" TRACEGATE_E2E_RESULTS="$spec_results" yarn playwright test "tests/$(basename "$spec")")
    if [ -f "$spec_results" ]; then
      read -r p f < <(node -e 'const s=require(process.argv[1]).stats; console.log(s.expected + s.flaky, s.unexpected + s.skipped)' "$spec_results")
      passed=$((passed + p)); failed=$((failed + f))
    else
      failed=$((failed + 1)); echo "FAILED: Playwright wrote no results for $spec"
    fi
  done
else
  failed=$((failed + 1)); echo "FAILED: building the app for e2e"
fi
stop_local_cluster

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
