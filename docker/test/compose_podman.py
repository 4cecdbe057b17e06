"""Runs a compose file's services as podman containers, for machines with podman and no Docker engine.

podman-compose 1.0.3 (Debian 12's) ignores `condition: service_healthy` and the machine has no systemd to run
health checks, so this reads the part of the Compose Specification that docker/compose.yaml uses and does it
itself: ${VAR:-default} interpolation, one network with each service's name as an alias, named volumes and bind
mounts, file secrets under /run/secrets, environment, ports (a host range spread over replicas), read_only and
tmpfs, deploy.replicas and resource limits, stop_grace_period, and depends_on conditions, with health checks run
by `podman exec`; profiles, and a chosen set of services. Containers are named PROJECT-SERVICE-N, as compose names
them. Device reservations (a GPU) are not passed on: this machine has none. Also what the container tests share:
their running report (`Report`), `run` and a container's metrics.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.error

import yaml


def podman(*args, check=True, capture=True, timeout=None):
    result = subprocess.run(["podman", *args], capture_output=capture, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args)}: {result.stderr.strip()}")
    return result


def run(*args, **kw):
    """A command's result with its output as text."""
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def metrics(container, port=9404):
    """A service's Prometheus text, read inside its container (its metrics port is not published)."""
    probe = f"exec 3<>/dev/tcp/127.0.0.1/{port} && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3"
    return podman("exec", container, "bash", "-c", probe, check=False).stdout


class Report:
    """What a container test says as it goes, each line stamped with the seconds since it began."""

    def __init__(self, label=""):
        self.label, self.started = label, time.time()

    def say(self, text):
        print(f"[{self.label}{' ' if self.label else ''}{time.time() - self.started:6.1f} s] {text}", flush=True)

    def fail(self, text):
        """Says what did not hold and exits 1."""
        self.say("FAILED: " + text)
        sys.exit(1)

    def wait_for(self, what, check, timeout, interval=0.5):
        """`check()`'s first truthy result within `timeout` s (a connection refused or an unreadable answer counts
        as not yet), or fails naming `what`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                result = check()
                if result:
                    return result
            except (OSError, urllib.error.URLError, ValueError):
                pass
            time.sleep(interval)
        self.fail(f"waited {timeout} s for {what}")


def interpolate(value, env):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default} and $$, in every string of a loaded file."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match):
        if match.group(0) == "$$":
            return "$"
        name, op, default = match.group(1), match.group(2), match.group(3) or ""
        have = env.get(name)
        if op == ":-":
            return have if have else default
        if op == "-":
            return have if have is not None else default
        return have or ""

    return re.sub(r"\$\$|\$\{(\w+)(?:(:?-)([^}]*))?\}", one, value)


def read_env_file(path):
    env = {}
    if path and os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                env[key.strip()] = value.strip()
    return env


def seconds(text):
    """A compose duration (45s, 1m30s, 500ms) in seconds."""
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", str(text)):
        total += float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return total


class Project:
    def __init__(self, compose_file, env_file=None, overrides=None, profiles=(), only=None):
        """`profiles`: as `--profile`, a service with profiles runs only when one of them is named; `only`: these
        services alone (and no others), as `up SERVICE...` without their dependencies."""
        self.dir = os.path.dirname(os.path.abspath(compose_file))
        env = dict(os.environ)
        env.update(read_env_file(env_file))
        env.update(overrides or {})
        self.spec = interpolate(yaml.safe_load(open(compose_file)), env)
        self.name = self.spec["name"]
        self.services = {name: s for name, s in self.spec["services"].items()
                         if (not s.get("profiles") or set(s["profiles"]) & set(profiles))
                         and (only is None or name in only)}
        self.network = f"{self.name}_default"

    def replicas(self, service):
        return int(self.services[service].get("deploy", {}).get("replicas", 1))

    def containers(self, service):
        return [f"{self.name}-{service}-{i}" for i in range(1, self.replicas(service) + 1)]

    def order(self):
        """Services after the ones they depend on."""
        done, out = set(), []

        def visit(name):
            if name not in done:
                done.add(name)
                for dep in self.services[name].get("depends_on", {}):
                    if dep in self.services:
                        visit(dep)
                out.append(name)

        for name in self.services:
            visit(name)
        return out

    def up(self, log=print, timeout=300):
        podman("network", "create", self.network, check=False)
        for volume in self.spec.get("volumes", {}) or {}:
            podman("volume", "create", f"{self.name}_{volume}", check=False)
        for service in self.order():
            for dep, how in self.services[service].get("depends_on", {}).items():
                if dep in self.services and how.get("condition") == "service_healthy":
                    self.wait_healthy(dep, timeout)
            for index, container in enumerate(self.containers(service)):
                podman("run", "-d", *self.run_args(service, index, container), capture=True)
                log(f"started {container}")

    def run_args(self, service, index, container):
        s = self.services[service]
        # health is polled here (podman's own checks need systemd timers)
        args = ["--name", container, "--network", self.network, "--network-alias", service,
                "--hostname", container, "--no-healthcheck"]
        for key, value in (s.get("environment") or {}).items():
            args += ["--env", f"{key}={value}"]
        for port in s.get("ports", []):
            args += ["--publish", self.port(str(port), index)]
        for volume in s.get("volumes", []):
            source, target = str(volume).split(":", 1)
            if source.startswith((".", "/")):
                source = os.path.normpath(os.path.join(self.dir, source))
            else:
                source = f"{self.name}_{source}"
            args += ["--volume", f"{source}:{target}"]
        for secret in s.get("secrets", []):
            path = os.path.normpath(os.path.join(self.dir, self.spec["secrets"][secret]["file"]))
            args += ["--volume", f"{path}:/run/secrets/{secret}:ro"]
        if s.get("read_only"):
            args.append("--read-only")
        for path in s.get("tmpfs", []):
            args += ["--tmpfs", path]
        limits = s.get("deploy", {}).get("resources", {}).get("limits", {})
        if "cpus" in limits:
            args += ["--cpus", str(limits["cpus"])]
        if "memory" in limits:
            args += ["--memory", str(limits["memory"])]
        if "stop_grace_period" in s:
            args += ["--stop-timeout", str(int(seconds(s["stop_grace_period"])))]
        if "user" in s:
            args += ["--user", str(s["user"])]
        args.append(s["image"])
        command = s.get("command")
        if command:
            args += command if isinstance(command, list) else command.split()
        return args

    @staticmethod
    def port(spec, index):
        """ "HOST_IP:A-B:C" gives replica `index` host port A+index."""
        parts = spec.split(":")
        host = parts[-2]
        if "-" in host:
            first, last = (int(p) for p in host.split("-"))
            if first + index > last:
                raise ValueError(f"port range {host} is too small for replica {index + 1}")
            parts[-2] = str(first + index)
        return ":".join(parts)

    def healthy(self, container, service):
        check = self.services[service].get("healthcheck")
        state = podman("inspect", "--format", "{{.State.Running}}", container, check=False).stdout.strip()
        if state != "true":
            return False
        if not check:
            return True
        test = check["test"]
        command = test[1:] if test[0] in ("CMD", "CMD-SHELL") else test
        if test[0] == "CMD-SHELL":
            command = ["sh", "-c", command[0]]
        t = int(seconds(check.get("timeout", "30s"))) or 30
        try:
            return podman("exec", container, *command, check=False, timeout=t).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def wait_healthy(self, service, timeout=300):
        deadline = time.time() + timeout
        pending = set(self.containers(service))
        while pending:
            pending = {c for c in pending if not self.healthy(c, service)}
            if not pending:
                return
            if time.time() > deadline:
                raise RuntimeError(f"{sorted(pending)} not healthy after {timeout} s: "
                                   + json.dumps({c: self.describe(c) for c in pending})[:6000])
            time.sleep(2)

    @staticmethod
    def describe(container):
        """What an operator looks at when a container is not healthy: its state, processes and last output."""
        state = podman("inspect", "--format", "{{json .State}}", container, check=False)
        top = podman("top", container, check=False)
        logs = podman("logs", "--tail", "30", container, check=False)
        return {"state": (state.stdout or state.stderr).strip(), "processes": (top.stdout or top.stderr).strip(),
                "logs": logs.stdout + logs.stderr}

    def down(self):
        for service in reversed(self.order()):
            for container in self.containers(service):
                podman("rm", "-f", "-t", "5", container, check=False)
        for volume in self.spec.get("volumes", {}) or {}:
            podman("volume", "rm", "-f", f"{self.name}_{volume}", check=False)
        podman("network", "rm", "-f", self.network, check=False)


def main():
    """`compose_podman.py up|down [-f FILE] [--env-file F]`: compose's up -d and down, with podman."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("command", choices=["up", "down"])
    parser.add_argument("-f", "--file", default="compose.yaml")
    parser.add_argument("--env-file", default=".env")
    args = parser.parse_args()
    project = Project(args.file, args.env_file)
    if args.command == "up":
        project.up()
        for service in project.services:
            project.wait_healthy(service)
            print(f"{service}: healthy")
    else:
        project.down()


if __name__ == "__main__":
    main()
