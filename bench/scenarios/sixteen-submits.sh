#!/usr/bin/env bash
# Issue 19, "clients that wait for a live broker": dev and a second worker on this machine, 16 `submit --watch`
# processes started at once, and the second worker killed with SIGKILL while the jobs run. Every submit must send its
# job and write its result (a loaded machine makes the broker slow to answer, not absent). Prints N/16 and exits 1
# unless all 16 succeeded. Needs `mvn -q package -DskipTests` first.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ss="$here/bin/scorestream"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
"$ss" dev --data-dir "$work/dev" --port "$port" --gateway-port 0 --no-trainer >"$work/dev.log" 2>&1 &
for _ in $(seq 1 120); do
  grep -q "gateway" "$work/dev.log" && grep -q "serves" "$work/dev.log" && break
  sleep 1
done
grep -q "serves" "$work/dev.log" || { echo "dev did not start"; cat "$work/dev.log"; exit 1; }
"$ss" worker --bootstrap-servers "127.0.0.1:$port" --models-dir "$work/dev/models" --worker-id second \
  >"$work/second.log" 2>&1 &
second=$!
for _ in $(seq 1 60); do grep -q "serves" "$work/second.log" && break; sleep 1; done
pids=()
for i in $(seq 1 16); do
  "$ss" submit --bootstrap-servers "127.0.0.1:$port" --model gmm-vp --samples 256 --seed "$i" --watch \
    --out "$work/out-$i.npy" >"$work/submit-$i.log" 2>&1 &
  pids+=($!)
done
sleep 20
kill -9 "$second"   # mid-run: its jobs go back to Kafka and run again on dev's worker
echo "killed the second worker (pid $second) with SIGKILL"
ok=0
for i in $(seq 1 16); do
  if wait "${pids[$((i - 1))]}" && [[ -s "$work/out-$i.npy" ]]; then
    ok=$((ok + 1))
  else
    echo "submit $i failed:"; tail -3 "$work/submit-$i.log"
  fi
done
waited=$(grep -l "waiting for Kafka" "$work"/submit-*.log 2>/dev/null | wc -l)
echo "$ok/16 submits wrote their results ($waited said they waited for a slow broker)"
[[ $ok -eq 16 ]]
