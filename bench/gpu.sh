#!/usr/bin/env bash
# Issue 23, the GPU worker check: one command on a machine with an NVIDIA GPU, its driver, CUDA 12 and cuDNN 9 (what
# ONNX Runtime 1.23.2's CUDA provider loads; the worker-gpu image's base has them) and Java 17.
#   1. builds the GPU jars when missing or older than the sources (mvn -Pgpu: ONNX Runtime's CUDA build; the CPU jars
#      stay as they are; `bin/scorestream`'s jar must exist: `mvn -q package -DskipTests`);
#   2. names the GPU, and the libraries the CUDA provider needs that the loader cannot find;
#   3. `bench gpu`: CUDA is used (exit 1 if not), GPU scores and samples match CPU ones for the same seed within the
#      stated tolerances, evaluations/s at batch 1, 64, 1024, 4096 on GPU and CPU, reused against fresh buffers, and
#      the continuous-batching speed-up against one job at a time and against the CPU worker;
#   4. the GPU worker itself: started with --device cuda:0 beside dev's broker and CPU worker, it must say it runs its
#      models on cuda:0 and complete an MNIST job that only it serves.
# Arguments go to `bench gpu` (e.g. --device cuda:1, --allow-cpu for a dry run without a GPU). Output: bench/gpu.log.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="$repo/bench/target/scorestream-bench-gpu.jar"
worker="$repo/worker/target/scorestream-worker-gpu.jar"
log="$repo/bench/gpu.log"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
exec > >(tee "$log") 2>&1
stale() { [[ ! -f "$1" || -n "$(find "$repo"/{proto,core,jobs,worker,trainer,gateway,bench}/src "$repo/pom.xml" -newer "$1" -print -quit)" ]]; }
if stale "$bench" || stale "$worker"; then
  echo "building the GPU jars (mvn -Pgpu)"
  (cd "$repo" && mvn -q package -DskipTests -Pgpu -pl bench,worker -am) || exit 1
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
unzip -p "$bench" ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so >"$work/cuda.so"
needed=$(readelf -d "$work/cuda.so" | sed -n 's/.*NEEDED.*\[\(lib\(cu\|nv\)[^]]*\)\].*/\1/p' | tr '\n' ' ')
echo "ONNX Runtime's CUDA provider needs: $needed"
for lib in $needed libcuda.so.1; do
  ldconfig -p | grep -q "$lib " || [[ -n "${LD_LIBRARY_PATH:-}" && -n "$(find ${LD_LIBRARY_PATH//:/ } -maxdepth 1 -name "$lib" 2>/dev/null)" ]] ||
    echo "  not found by the loader: $lib"
done

java -jar "$bench" gpu "$@"
status=$?

echo
echo "## the GPU worker"
port=$((20000 + RANDOM % 20000))
mkdir -p "$work/none"   # dev's own worker serves nothing, so the job can only run on the GPU worker
"$repo/bin/scorestream" dev --data-dir "$work/dev" --models-dir "$work/none" --port "$port" --gateway-port 0 \
  --no-trainer >"$work/dev.log" 2>&1 &
for _ in $(seq 1 120); do grep -q "serves" "$work/dev.log" && break; sleep 1; done
java -jar "$worker" --bootstrap-servers "127.0.0.1:$port" --models-dir "$repo/models" --worker-id gpu-worker \
  --device "${DEVICE:-cuda:0}" >"$work/worker.log" 2>&1 &
for _ in $(seq 1 120); do grep -q "serves" "$work/worker.log" && break; sleep 1; done
grep -E "running models on|asked for|serves" "$work/worker.log"
start=$(date +%s%N)
if "$repo/bin/scorestream" submit --bootstrap-servers "127.0.0.1:$port" --model mnist-unet --samples 256 --seed 1 \
  --label 3 --sampler dpm-solver --steps 20 --watch --out "$work/mnist.npy" >"$work/submit.log" 2>&1; then
  echo "a 256-sample MNIST job (DPM-Solver++, 20 NFE) completed on the GPU worker in" \
    "$((($(date +%s%N) - start) / 1000000)) ms, submission to result"
else
  echo "FAIL: the MNIST job did not complete"; tail -5 "$work/submit.log"; status=1
fi
grep -q "running models on cuda" "$work/worker.log" || { echo "FAIL: the worker does not run on CUDA"; status=1; }
exit $status
