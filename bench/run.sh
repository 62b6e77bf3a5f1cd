#!/usr/bin/env bash
# `yarn bench`: every benchmark, one after the other, each printing its table
# and writing bench/results/<name>.json. Starts what they need: Go builds of
# the control plane, KWOK, Jaeger and kubectl (cached), a throw-away PostgreSQL, and a
# production build of the app for the bundle size. Figures, not pass/fail.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/system.sh
ensure_node
ensure_dependencies
ensure_go || { echo "bench: Go is needed for the local control plane" >&2; exit 1; }
bash test/kube/build.sh >/dev/null
bash test/kube/build-kwok.sh >/dev/null
bash test/jaeger/build.sh >/dev/null
bash test/kube/build-kubectl.sh >/dev/null
start_test_postgres >/dev/null
trap stop_test_postgres EXIT
pg_var="BACKSTAGE_TEST_DATABASE_${TRACEGATE_TEST_POSTGRES_ID/_/}_CONNECTION_STRING"
export TRACEGATE_BENCH_POSTGRES="${!pg_var}/postgres"

run() { node --require @backstage/cli/config/nodeTransform.cjs "bench/$1.ts"; }
run configSize
run traceArrival
run approveToActive
run statusPoll
run nodeScale
BENCH_DELIVERY=git run nodeScale
run reconcileCost
run rolloutChurn
run apiLoad
if [ "${TRACEGATE_BENCH_SKIP_BUILD:-}" != 1 ]; then
  yarn workspace app build >/dev/null
fi
run bundleSize
echo
echo "results: bench/results/*.json"
