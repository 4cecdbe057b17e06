"""The fleet of docker/compose.yaml under faults, as containers (docker/test/container-test.sh runs it).

Starts three brokers, two gateways, two workers and the trainer; checks every topic keeps three copies with two in
sync; submits jobs through gateway 1 and follows them over Server-Sent Events on gateway 2; mid-run stops the
broker that leads most of the jobs partitions and kills a worker with SIGKILL. Every job must complete once, with
the samples `scorestream sample` draws for its seed; then SIGTERM to the other worker must end it with status 0.
Prints what it saw and how long each part took; exits 1 on the first thing that does not hold.

usage: fleet_test.py REPO WORK_DIR (with the images built and tagged as compose.yaml names them)
"""

import collections
import io
import json
import os
import sys
import threading
import time
import urllib.request

import numpy as np

from compose_podman import Project, Report, metrics, podman, run

REPO, WORK = sys.argv[1], sys.argv[2]
SS = os.path.join(REPO, "bin", "scorestream")
HOST_KAFKA = "localhost:19092,localhost:29092,localhost:39092"
GATEWAYS = ["http://127.0.0.1:8080", "http://127.0.0.1:8081"]
JOBS, SAMPLES, STEPS = 8, 1024, 1000
report = Report()
say, fail = report.say, report.fail


def request(url, key, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    h = {"Authorization": f"Bearer {key}", **(headers or {})}
    if data:
        h["Content-Type"] = "application/json"
    return urllib.request.urlopen(urllib.request.Request(url, data=data, headers=h), timeout=60)


class Follower(threading.Thread):
    """Follows one job's events on a gateway, resuming from the last event id when the stream drops."""

    def __init__(self, gateway, key, job):
        super().__init__(daemon=True)
        self.gateway, self.key, self.job = gateway, key, job
        self.events, self.finals, self.reconnects, self.last_id = [], [], 0, None

    def run(self):
        deadline = time.time() + 600
        while not self.finals and time.time() < deadline:
            try:
                headers = {"Last-Event-ID": self.last_id} if self.last_id else {}
                with request(f"{self.gateway}/v1/jobs/{self.job}/events", self.key, headers=headers) as stream:
                    if stream.status == 204:
                        return
                    event, data = None, []
                    for raw in stream:
                        line = raw.decode().rstrip("\n")
                        if line.startswith("id:"):
                            self.last_id = line[3:].strip()
                        elif line.startswith("event:"):
                            event = line[6:].strip()
                        elif line.startswith("data:"):
                            data.append(line[5:].strip())
                        elif line == "" and event:
                            self.events.append(event)
                            if event in ("completed", "failed", "cancelled"):
                                self.finals.append((event, "\n".join(data)))
                            event, data = None, []
            except Exception:  # the gateway or a broker went away: resume where it left off
                self.reconnects += 1
                time.sleep(1)


def main():
    os.makedirs(os.path.join(WORK, "models"), exist_ok=True)
    os.makedirs(os.path.join(WORK, "secrets"), exist_ok=True)
    model = os.path.join(WORK, "models", "gmm-vp.onnx")
    r = run(SS, "model", "gmm", "--sde", "vp", "--name", "gmm-vp", "--out", model)
    if r.returncode:
        fail("model gmm: " + r.stderr)
    tenants = os.path.join(WORK, "secrets", "tenants.json")
    r = run("java", "-jar", os.path.join(REPO, "gateway/target/scorestream-gateway.jar"), "add-key",
            "--tenants", tenants, "--tenant", "fleet-test")
    key = r.stdout.strip()
    os.chmod(tenants, 0o644)
    project = Project(os.path.join(REPO, "docker", "compose.yaml"), overrides={
        "KAFKA_IMAGE": os.environ.get("KAFKA_IMAGE", "localhost/scorestream-kafka:test"),
        "REGISTRY": "localhost", "TAG": "test", "WORKERS": "2", "WORKER_CPUS": "1", "WORKER_MEMORY": "1g",
        "MODELS_DIR": os.path.join(WORK, "models"), "TENANTS_FILE": tenants})
    project.down()
    try:
        scenario(project, key)
    finally:
        for c in sum((project.containers(s) for s in project.services), []):
            log = podman("logs", c, check=False)
            open(os.path.join(WORK, c + ".log"), "w").write(log.stdout + log.stderr)
        project.down()


def scenario(project, key):
    t = time.time()
    project.up(log=say)
    for service in ("gateway", "worker", "trainer"):
        project.wait_healthy(service, 180)
    say(f"all healthy in {time.time() - t:.0f} s")

    r = run(SS, "topics", "--bootstrap-servers", HOST_KAFKA, "--require", "3:2")
    print(r.stdout, end="")
    if r.returncode:
        fail("topics below replication 3, min ISR 2: " + r.stderr)
    say("every scorestream topic keeps 3 copies, 2 in sync")

    jobs = {}
    for i in range(JOBS):
        body = {"modelName": "gmm-vp", "numSamples": SAMPLES, "seed": 1000 + i, "sampler": {"steps": STEPS}}
        with request(f"{GATEWAYS[0]}/v1/jobs", key, body, {"Idempotency-Key": f"fleet-test-{i}"}) as answer:
            jobs[json.loads(answer.read())["jobId"]] = 1000 + i
    followers = [Follower(GATEWAYS[1], key, job) for job in jobs]
    for f in followers:
        f.start()
    say(f"submitted {JOBS} jobs on gateway 1, following them on gateway 2")

    workers = project.containers("worker")
    report.wait_for("a worker to run jobs", lambda: any(active_jobs(w) > 0 for w in workers), 180)
    # the faults come at once, while jobs run: first the busiest worker dies, then the leading broker stops
    running = {w: active_jobs(w) for w in workers}
    busiest = max(workers, key=running.get)
    podman("kill", "--signal", "KILL", busiest)
    done_before = sum(1 for f in followers if f.finals)
    if running[busiest] == 0 or done_before == JOBS:
        fail(f"the faults came too late: {busiest} ran {running[busiest]} jobs, {done_before} had ended")
    say(f"killed {busiest} with SIGKILL while it ran {running[busiest]} job(s) ({done_before} of {JOBS} ended)")
    leaders = [line.split("\t") for line in run(SS, "topics", "--bootstrap-servers", HOST_KAFKA).stdout.splitlines()]
    jobs_leaders = next(cols[5] for cols in leaders if cols[0] == "scorestream.jobs").split(",")
    leader = collections.Counter(jobs_leaders).most_common(1)[0][0]
    podman("stop", "-t", "10", project.containers(f"kafka-{leader}")[0])
    say(f"stopped kafka-{leader}, the leader of {jobs_leaders.count(leader)} of 12 jobs partitions")
    other = next(w for w in workers if w != busiest)

    for f in followers:
        f.join(600)
    finals = {f.job: f.finals for f in followers}
    if any(len(v) != 1 or v[0][0] != "completed" for v in finals.values()):
        fail("not every job completed exactly once: " + json.dumps({k: [e for e, _ in v] for k, v in finals.items()}))
    say(f"all {JOBS} jobs completed once ({sum(f.reconnects for f in followers)} stream reconnects)")

    worst = 0.0
    for job, seed in jobs.items():
        with request(f"{GATEWAYS[0]}/v1/jobs/{job}/result?format=npy", key) as answer:
            fleet = np.load(io.BytesIO(answer.read()))
        local = os.path.join(WORK, f"local-{seed}.npy")
        r = run(SS, "sample", "--model", os.path.join(WORK, "models", "gmm-vp.onnx"), "--samples", str(SAMPLES),
                "--seed", str(seed), "--steps", str(STEPS), "--out", local)
        if r.returncode:
            fail("sample: " + r.stderr)
        mine = np.load(local)
        if fleet.shape != mine.shape:
            fail(f"{job}: shape {fleet.shape} from the fleet, {mine.shape} from sample")
        worst = max(worst, float(np.max(np.abs(fleet - mine))))
    if worst > 1e-3:
        fail(f"the fleet's samples differ from sample's by up to {worst}")
    with request(f"{GATEWAYS[1]}/v1/jobs?limit=100", key) as answer:
        listed = json.loads(answer.read())
    ids = [j.get("jobId") for j in listed.get("jobs", [])]
    if sorted(ids) != sorted(jobs):
        fail(f"gateway 2 lists {len(ids)} jobs, not the {JOBS} submitted: {ids}")
    say(f"0 lost, 0 duplicated: every result matches sample's for its seed (largest difference {worst:.2e})")

    # a SIGTERM lets the worker's running job finish before it exits
    body = {"modelName": "gmm-vp", "numSamples": SAMPLES, "seed": 7, "sampler": {"steps": STEPS}}
    with request(f"{GATEWAYS[0]}/v1/jobs", key, body, {"Idempotency-Key": "fleet-test-drain"}) as answer:
        last = Follower(GATEWAYS[1], key, json.loads(answer.read())["jobId"])
    last.start()
    report.wait_for(f"{other} to run the last job", lambda: active_jobs(other) > 0, 120)
    t = time.time()
    podman("stop", "-t", "60", other)
    code = podman("inspect", "--format", "{{.State.ExitCode}}", other).stdout.strip()
    if code != "0":
        fail(f"{other} ended with {code} after SIGTERM")
    last.join(60)
    if [e for e, _ in last.finals] != ["completed"]:
        fail(f"the job {other} ran when told to stop ended {last.finals}")
    say(f"SIGTERM ended {other} with status 0 in {time.time() - t:.1f} s, after its running job completed")


def active_jobs(container):
    """The worker's scorestream_worker_jobs_active gauge, read from its metrics inside its container."""
    for line in metrics(container).splitlines():
        if line.startswith("scorestream_worker_jobs_active"):
            return int(float(line.split()[-1]))
    return 0


if __name__ == "__main__":
    main()
    say("the fleet held")
