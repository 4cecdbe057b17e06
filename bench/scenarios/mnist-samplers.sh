#!/usr/bin/env bash
# Issue 22, "MNIST digits of the 1000-step quality in at most 50 NFE": the shipped mnist-unet's samples by each
# sampler, measured by `scorestream evaluate` against the 2,000 held-out test digits (Fréchet distance in the
# features of a classifier trained on the training digits, label agreement), for SEEDS seeds (default 0 1 2; a seed
# sets both the samples and the classifier) and SAMPLES samples (default 500). Prints one Markdown row per sampler
# and seed, then each sampler's median over the seeds. Slow on a CPU: the 1000-step PC reference spends 2,000
# evaluations a digit (about 25 minutes for 500 digits on two cores). Needs `mvn -q package -DskipTests` first;
# the jar is copied first, so a build during the run does not change it. Usage:
#   bench/scenarios/mnist-samplers.sh [SAMPLES] [SEEDS...]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
samples="${1:-500}"
shift || true
seeds=("${@:-0 1 2}")
read -r -a seeds <<<"${seeds[*]}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/cli/target/scorestream.jar" "$work/scorestream.jar"
mnist="${MNIST:-$here/../shared/data/mnist}"

samplers=(
  "pc|--sampler pc"
  "reverse diffusion 500|--steps 500"
  "dpm-solver 2M 20|--sampler dpm-solver --steps 20"
  "dpm-solver 2M 30|--sampler dpm-solver"
  "dpm-solver 3M 30|--sampler dpm-solver --order 3"
  "sde-dpm-solver 2M 49|--sampler dpm-solver --stochastic --steps 49"
  "edm 18|--sampler edm"
  "adaptive 0.05|--sampler adaptive"
)

echo "| sampler | seed | NFE | FD | FD of training digits | label agreement | seconds |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for entry in "${samplers[@]}"; do
  name="${entry%%|*}"
  read -r -a flags <<<"${entry#*|}"
  for seed in "${seeds[@]}"; do
    start=$(date +%s)
    line=$(java -Dai.djl.offline=true -jar "$work/scorestream.jar" evaluate --model "$here/models/mnist-unet.onnx" \
      --mnist "$mnist" --samples "$samples" --seed "$seed" "${flags[@]}" 2>/dev/null | tail -1)
    seconds=$(($(date +%s) - start))
    # "500 samples (31 NFE), FD 11.965 (training images: 10.230), class spread 0.999, label agreement 0.910 (...)"
    nfe=$(sed -n 's/.*(\([0-9]*\) NFE).*/\1/p' <<<"$line")
    fd=$(sed -n 's/.*FD \([0-9.]*\) .*/\1/p' <<<"$line")
    floor=$(sed -n 's/.*training images: \([0-9.]*\)).*/\1/p' <<<"$line")
    agree=$(sed -n 's/.*label agreement \([0-9.]*\).*/\1/p' <<<"$line")
    echo "| $name | $seed | $nfe | $fd | $floor | $agree | $seconds |" | tee -a "$work/rows"
  done
done

echo
echo "| sampler | NFE | median FD | median FD of training digits | median label agreement |"
echo "| --- | ---: | ---: | ---: | ---: |"
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
for entry in "${samplers[@]}"; do
  name="${entry%%|*}"
  rows=$(grep -F "| $name |" "$work/rows")
  col() { awk -F'|' -v c="$1" '{gsub(/ /, "", $c); print $c}' <<<"$rows" | median; }
  echo "| $name | $(col 4) | $(col 5) | $(col 6) | $(col 7) |"
done
