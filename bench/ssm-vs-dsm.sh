#!/usr/bin/env bash
# Sliced score matching (--objective ssm) against denoising score matching (dsm) on the same data for the same
# wall time: `train` on 8gaussians (an exact Gaussian mixture) for MINUTES each, alternating which goes first,
# REPEATS rounds with the round's seed; each model is measured as `train` measures it (2,000 samples by 500
# reverse-diffusion steps, sliced W1 to 2,000 held-out points, and what two samples of the data differ by).
# Prints each run and then the medians as a Markdown table. Run from the repository root after
# `mvn -q package -DskipTests`. Usage: bench/ssm-vs-dsm.sh [REPEATS] [MINUTES] [DATASET]
set -euo pipefail
repeats=${1:-3}
minutes=${2:-1}
dataset=${3:-8gaussians}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for rep in $(seq "$repeats"); do
  order=$([ $((rep % 2)) = 1 ] && echo "dsm ssm" || echo "ssm dsm")
  for objective in $order; do
    "$here/bin/scorestream" train --builtin "$dataset" --objective "$objective" --minutes "$minutes" \
      --seed "$rep" --out "$work/$objective.onnx" 2>&1 | grep -E "^(trained|quality)" |
      sed "s/^/$objective round $rep: /" | tee -a "$work/runs"
  done
done
/usr/bin/python3 - "$work/runs" "$minutes" "$dataset" <<'PY'
import re, statistics, sys
runs, minutes, dataset = open(sys.argv[1]).read().splitlines(), sys.argv[2], sys.argv[3]
fig = {}
for line in runs:
    objective, _, rest = line.split(" ", 2)
    for key, pattern in (("steps", r"trained to step (\d+)"), ("rate", r"\(([\d.]+) examples/s\)"),
                         ("w1", r"sliced W1 ([\d.]+)"), ("bound", r"up to ([\d.]+)")):
        m = re.search(pattern, rest)
        if m:
            fig.setdefault(objective, {}).setdefault(key, []).append(float(m.group(1)))
med = {o: {k: statistics.median(v) for k, v in f.items()} for o, f in fig.items()}
print(f"\n{dataset}, {minutes} min each, medians of {len(fig['dsm']['rate'])} rounds:\n")
print("| objective | steps | examples/s | sliced W1 to held-out | data to data up to |")
print("| --- | ---: | ---: | ---: | ---: |")
for o in ("dsm", "ssm"):
    m = med[o]
    print(f"| {o} | {m['steps']:.0f} | {m['rate']:.0f} | {m['w1']:.4f} | {m['bound']:.4f} |")
print(f"\nssm / dsm: examples/s {med['ssm']['rate'] / med['dsm']['rate']:.2f}, "
      f"sliced W1 {med['ssm']['w1'] / med['dsm']['w1']:.2f}")
PY
