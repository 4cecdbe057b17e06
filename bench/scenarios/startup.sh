#!/usr/bin/env bash
# Issue 21, "README states each artifact's size and start-up time": each service's own jar started REPEATS times
# (default 5) against a broker that dev runs on this machine, timed from the process's start to the line saying it
# is ready (the worker: what it serves; the gateway: where it listens; the trainer: the topic it waits on), then
# stopped with SIGTERM. Prints each jar's size and the median, smallest and largest start-up in seconds. Needs
# `mvn -q package -DskipTests` first.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
repeats="${1:-5}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
"$here/bin/scorestream" dev --data-dir "$work/dev" --port "$port" --gateway-port 0 --no-trainer >"$work/dev.log" 2>&1 &
for _ in $(seq 1 120); do grep -q "serves" "$work/dev.log" && break; sleep 1; done
grep -q "serves" "$work/dev.log" || { echo "dev did not start"; cat "$work/dev.log"; exit 1; }
java -jar "$here/gateway/target/scorestream-gateway.jar" add-key --tenants "$work/tenants.json" --tenant bench >/dev/null 2>&1

# time_to READY_PATTERN JAR ARGS...: seconds from start to the pattern in its output, then SIGTERM
time_to() {
  local pattern="$1" jar="$2" log="$work/run.log"
  shift 2
  rm -f "$log"
  local start end
  start=$(date +%s%N)
  java -jar "$jar" --bootstrap-servers "127.0.0.1:$port" "$@" >"$log" 2>&1 &
  local pid=$!
  until grep -qs "$pattern" "$log"; do
    kill -0 "$pid" 2>/dev/null || { echo "it ended:" >&2; cat "$log" >&2; return 1; }
    sleep 0.02
  done
  end=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid"
  echo "scale=2; ($end - $start) / 1000000000" | bc
}

report() {
  local name="$1" jar="$2" pattern="$3"
  shift 3
  local times=()
  for _ in $(seq 1 "$repeats"); do times+=("$(time_to "$pattern" "$jar" "$@")"); done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  printf '| %s | %d MB | %s s | %s-%s s |\n' "$name" $(($(stat -c %s "$jar") / 1000000)) \
    "$(echo "$sorted" | sed -n "$(((repeats + 1) / 2))p")" "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)"
}

echo "| artifact | size | start-up, median | range |"
echo "| --- | ---: | ---: | ---: |"
report worker "$here/worker/target/scorestream-worker.jar" "serves" --models-dir "$work/dev/models" --worker-id bench
report gateway "$here/gateway/target/scorestream-gateway.jar" "gateway on" --tenants "$work/tenants.json" --port 0
report trainer "$here/trainer/target/scorestream-trainer.jar" "waiting for examples" --dataset bench --model bench
