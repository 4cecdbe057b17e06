"""The GPU worker's image on a machine without a GPU (docker/test/container-test.sh runs it).

Runs compose.single.yaml's broker and its `gpu` profile's worker-gpu as containers. The worker, asked for cuda:0
by the image, must say once why it runs on the CPU, naming exactly the CUDA libraries that its ONNX Runtime build's
CUDA provider needs (its NEEDED entries, read by the caller with readelf), serve its models, and report the fallback
in its metrics. Exits 1 on the first thing that does not hold.

usage: gpu_image_test.py REPO WORK_DIR "LIB LIB ..."
"""

import os
import re
import shutil
import sys

from compose_podman import Project, Report, metrics, podman

REPO, WORK, NEEDED = sys.argv[1], sys.argv[2], set(sys.argv[3].split())
report = Report("gpu-image")
say, fail = report.say, report.fail


def main():
    models = os.path.join(WORK, "gpu-models")
    os.makedirs(models, exist_ok=True)
    shutil.copy(os.path.join(REPO, "models", "eight-mlp.onnx"), models)
    project = Project(os.path.join(REPO, "docker", "compose.single.yaml"), overrides={
        "KAFKA_IMAGE": "localhost/scorestream-kafka:test", "REGISTRY": "localhost", "TAG": "test",
        "MODELS_DIR": models, "GPU_WORKER_MEMORY": "2g"}, profiles=("gpu",), only=("kafka", "worker-gpu"))
    project.down()
    try:
        project.up(log=say, timeout=180)
        project.wait_healthy("worker-gpu", timeout=240)
        worker = project.containers("worker-gpu")[0]

        def served():
            out = podman("logs", worker, check=False)
            text = out.stdout + out.stderr
            return text if "serves [" in text else None

        text = report.wait_for("the worker to name what it serves", served, 120)
        said = [line for line in text.splitlines() if "asked for cuda:0" in line]
        if len(said) != 1:
            fail(f"the fallback is said {len(said)} times, not once:\n{text[-3000:]}")
        say(said[0].split(" - ", 1)[-1])
        found = re.search(r"CUDA libraries not found on the library path: (.*?) \(", said[0])
        if not found or set(found.group(1).split(", ")) != NEEDED:
            fail(f"the fallback should name the CUDA libraries the provider needs, {sorted(NEEDED)}: {said[0]}")
        if "serves [eight-mlp:" not in text:
            fail(f"the worker does not serve its model:\n{text[-3000:]}")
        gauge = [line for line in metrics(worker).splitlines() if line.startswith("scorestream_worker_device_fallback{")]
        if len(gauge) != 1 or 'requested="cuda:0"' not in gauge[0] or 'device="cpu"' not in gauge[0] \
                or not gauge[0].endswith(" 1.0"):
            fail(f"the metrics should show the fallback: {gauge}")
        say(f"metrics: {gauge[0]}")
    finally:
        for c in sum((project.containers(s) for s in project.services), []):
            log = podman("logs", c, check=False)
            open(os.path.join(WORK, c + ".log"), "w").write(log.stdout + log.stderr)
        project.down()
    say("done")


main()
