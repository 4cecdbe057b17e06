"""deploy/kubernetes's gateway and worker Deployments run by `podman kube play` (docker/test/container-test.sh runs it).

No cluster runs on this machine; podman runs Kubernetes YAML without one. This takes base/'s ConfigMap and the gateway
and worker Deployments as they are, changing only what a cluster would give them and podman cannot: the images are
the ones the container test built, the bootstrap address is compose.single.yaml's broker, whose network the pods
join,
the gateway's port is published on the host, and the tenants Secret is a host directory (a `secret:` volume stops
podman 4.3.1). Their security contexts, limits, emptyDir and ConfigMap stay. A model is published to the
checkpoints topic, as the trainer or `scorestream model publish` would; a job posted to the gateway must complete
on the worker. Exits 1 on the first thing that does not hold.

usage: kube_play_test.py REPO WORK_DIR
"""

import json
import os
import sys
import urllib.request

import yaml

from compose_podman import Project, Report, podman, run

REPO, WORK = sys.argv[1], sys.argv[2]
SS = os.path.join(REPO, "bin", "scorestream")
BASE = os.path.join(REPO, "deploy", "kubernetes", "base")
HOST_KAFKA, GATEWAY_PORT = "localhost:19092", 18080  # compose.single.yaml's broker's host listener
report = Report("kube-play")
say, fail = report.say, report.fail


def documents(name):
    with open(os.path.join(BASE, name)) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def rendered(tenants_dir):
    config = next(d for d in documents("config.yaml") if d["kind"] == "ConfigMap")
    config["data"]["SCORESTREAM_BOOTSTRAP_SERVERS"] = "kafka:9092"
    config["data"]["SCORESTREAM_EXPECT_BROKERS"] = "1"
    objects = [config]
    for service in ("gateway", "worker"):
        deployment = next(d for d in documents(f"{service}.yaml") if d["kind"] == "Deployment")
        deployment["spec"]["replicas"] = 1
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        container["image"] = f"localhost/scorestream-{service}:test"
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            container.pop(probe, None)  # podman runs probes as health checks, which need systemd timers here
        if service == "gateway":
            container["ports"][0]["hostPort"] = GATEWAY_PORT
            for volume in pod["volumes"]:
                if "secret" in volume:
                    volume.pop("secret")
                    volume["hostPath"] = {"path": tenants_dir, "type": "Directory"}
        objects.append(deployment)
    return objects


def http(method, path, key, body=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{GATEWAY_PORT}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, json.loads(answer.read() or b"null")


def main(broker):
    tenants_dir = os.path.join(WORK, "kube-tenants")
    os.makedirs(tenants_dir, exist_ok=True)
    tenants = os.path.join(tenants_dir, "tenants.json")
    r = run("java", "-jar", os.path.join(REPO, "gateway/target/scorestream-gateway.jar"), "add-key",
            "--tenants", tenants, "--tenant", "kube-test")
    if r.returncode:
        fail("add-key: " + r.stderr)
    key = r.stdout.strip()
    os.chmod(tenants_dir, 0o755)
    os.chmod(tenants, 0o644)  # read by user 10001 in the pod
    manifest = os.path.join(WORK, "kube.yaml")
    with open(manifest, "w") as f:
        yaml.safe_dump_all(rendered(tenants_dir), f)
    model = os.path.join(WORK, "kube-gmm-vp.onnx")
    r = run(SS, "model", "gmm", "--sde", "vp", "--name", "gmm-vp", "--out", model)
    if r.returncode:
        fail("model gmm: " + r.stderr)

    broker.down()
    broker.up(log=say, timeout=180)
    broker.wait_healthy("kafka", 120)
    say("compose.single.yaml's broker is up")
    r = podman("kube", "play", "--network", broker.network, manifest, check=False)
    if r.returncode:
        fail("podman kube play: " + r.stderr)
    say("gateway and worker pods started from deploy/kubernetes/base")
    report.wait_for("the gateway to be ready", lambda: http("GET", "/readyz", key)[0] == 200, 240)
    say("the gateway is ready (/readyz)")
    r = run(SS, "model", "publish", "--bootstrap-servers", HOST_KAFKA, model)
    if r.returncode:
        fail("model publish: " + r.stderr)
    served = lambda: any(m.get("name") == "gmm-vp" for m in http("GET", "/v1/models", key)[1].get("models", []))
    report.wait_for("the worker to serve gmm-vp", served, 180)
    say("the worker loaded the published model and the gateway sees it")
    status, job = http("POST", "/v1/jobs", key, {"modelName": "gmm-vp", "numSamples": 16, "seed": 5,
                                                "sampler": {"steps": 100}})
    ended = lambda: (lambda s: s if s in ("SUCCEEDED", "FAILED", "CANCELLED") else None)(
        http("GET", f"/v1/jobs/{job['jobId']}", key)[1]["status"])
    final = report.wait_for("the job to end", ended, 180)
    if final != "SUCCEEDED":
        fail(f"the job ended {final}")
    say(f"a job posted to the gateway pod completed on the worker pod ({job['jobId']})")


broker = Project(os.path.join(REPO, "docker", "compose.single.yaml"), overrides={
    "KAFKA_IMAGE": "localhost/scorestream-kafka:test"}, only=("kafka",))
try:
    main(broker)
finally:
    manifest = os.path.join(WORK, "kube.yaml")
    for pod in ("gateway-pod-0", "worker-pod-0"):
        for name in podman("ps", "-a", "--filter", f"pod={pod}", "--format", "{{.Names}}", check=False).stdout.split():
            log = podman("logs", name, check=False)
            open(os.path.join(WORK, name + ".log"), "w").write(log.stdout + log.stderr)
    if os.path.exists(manifest):
        podman("kube", "down", manifest, check=False)
    broker.down()
say("done")
