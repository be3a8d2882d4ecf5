#!/usr/bin/env bash
# Gateway overhead, side by side in ONE run: the fake upstream (direct), the trivial undici proxy (the floor), the
# metering trivial proxy, Jevons (pass-through with metering, virtual-key auth, ledger on) and Portkey's gateway.
# Uses ../shared/perf-harness (loopback only, every load bounded in time). Prints the summary tables; the raw
# results stay in the scratch directory it prints.
#   bash bench/gateway-overhead.sh                 # full run (~6 min)
#   QUICK=1 bash bench/gateway-overhead.sh         # shorter runs
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
harness=${HARNESS:-$repo/../shared/perf-harness}
[ -d "$harness" ] || { echo "perf harness not found at $harness (set HARNESS)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "installing wrk (apt)"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -f "$repo/dist/cli/main.js" ] || (cd "$repo" && npm run build >/dev/null)

scratch=${SCRATCH:-$(mktemp -d /tmp/jevons-bench.XXXXXX)}
cp "$harness"/* "$scratch"/
cd "$scratch"
[ -d node_modules/@portkey-ai ] || npm install --no-audit --no-fund --silent >/dev/null 2>&1

cat > jevons-bench.yaml <<YAML
server: { host: 127.0.0.1, port: 18790, auth: keys }
storage: { path: $scratch/jevons-bench.db }
providers:
  - { name: openai, type: openai, base_url: "http://127.0.0.1:18080/v1", api_key: sk-upstream }
keys:
  - { name: bench, secret_env: JEVONS_BENCH_KEY, team: bench, feature: overhead }
YAML
rm -f "$scratch"/jevons-bench.db*
export JEVONS_BENCH_KEY=sk-fake-bench JEVONS_LOG_LEVEL=warn
if [ "${QUICK:-0}" = 1 ]; then export DUR=6 DUR_C1=5 WARM=2; fi
RUN=${RUN:-jevons} RATE=${RATE:-500} TARGETS="direct proxy-undici proxy-meter custom portkey" CUSTOM_PORT=18790 \
  CUSTOM_CMD="node $repo/dist/cli/main.js serve --config $scratch/jevons-bench.yaml" ./bench.sh >"$scratch/bench.log" 2>&1 || { tail -20 "$scratch/bench.log"; exit 1; }
node summarize.mjs "results/${RUN:-jevons}"
node "$repo/bench/ratios.mjs" "results/${RUN:-jevons}/results.jsonl" "$scratch/jevons-bench.db"
echo
echo "raw results: $scratch/results/${RUN:-jevons}"
