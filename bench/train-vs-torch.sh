#!/usr/bin/env bash
# Training throughput of ScoreStream's trainer (DJL, PyTorch engine) against the same networks in PyTorch from
# Python, alternating, REPEATS times each; prints every run's JSON line and then the medians as a Markdown table.
# Python runs twice: as installed, and with the allocator settings that bin/scorestream gives the training commands
# (GLIBC_TUNABLES), so that the table shows what those settings are worth on either side.
# Needs Debian's python3-torch (apt-get install python3-torch) for the Python side; run from the repository root
# after `mvn -q package -DskipTests`. Usage: bench/train-vs-torch.sh [REPEATS] [MLP_STEPS] [UNET_STEPS]
set -euo pipefail
repeats=${1:-3}
mlp_steps=${2:-2000}
unet_steps=${3:-40}
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp)
tunables=$(grep -o 'glibc\.malloc\.[^}"]*' "$here/bin/scorestream" | head -1)
for rep in $(seq "$repeats"); do
  for arch in mlp unet; do
    steps=$([ "$arch" = mlp ] && echo "$mlp_steps" || echo "$unet_steps")
    warmup=$([ "$arch" = mlp ] && echo 200 || echo 5)
    "$here/bin/scorestream" bench train --arch "$arch" --steps "$steps" --warmup "$warmup" | tee -a "$out"
    /usr/bin/python3 "$here/bench/torch_train.py" --arch "$arch" --steps "$steps" --warmup "$warmup" | tee -a "$out"
    GLIBC_TUNABLES="$tunables" /usr/bin/python3 "$here/bench/torch_train.py" --arch "$arch" --steps "$steps" \
      --warmup "$warmup" --label tuned | tee -a "$out"
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print("\n| network | ours (examples/s) | PyTorch (examples/s) | ours / PyTorch | PyTorch with our allocator settings"
      " (examples/s) | ours / that | ours peak RSS (MiB) | PyTorch peak RSS (MiB) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for arch in ("mlp", "unet"):
    ours = [r for r in runs if r["arch"] == arch and r["impl"].startswith("scorestream")]
    torch = [r for r in runs if r["arch"] == arch and r["impl"].startswith("pytorch") and "label" not in r]
    tuned = [r for r in runs if r["arch"] == arch and r.get("label") == "tuned"]
    med = lambda rs, k: statistics.median(r[k] for r in rs)
    ratios = [o["examples_per_second"] / t["examples_per_second"] for o, t in zip(ours, torch)]
    tuned_ratios = [o["examples_per_second"] / t["examples_per_second"] for o, t in zip(ours, tuned)]
    print(f"| {arch} (batch {ours[0]['batch']}, {ours[0]['parameters']} parameters) | {med(ours, 'examples_per_second'):.0f} "
          f"| {med(torch, 'examples_per_second'):.0f} | {statistics.median(ratios):.2f} "
          f"| {med(tuned, 'examples_per_second'):.0f} | {statistics.median(tuned_ratios):.2f} "
          f"| {med(ours, 'peak_rss_mib'):.0f} | {med(torch, 'peak_rss_mib'):.0f} |")
PY
