#!/usr/bin/env bash
# The container test that .ci/run runs after the Maven suite (README, "Deploy"): on a machine with no Docker engine,
# builds a Debian base (mmdebstrap) and a jlink'd JRE on it, the broker image and every service's image from the
# Dockerfiles in docker/ (bases overridden, jars from `mvn package`), checks each runs as non-root and carries its own
# jar alone, reports the sizes, then runs compose.yaml's fleet under faults (fleet_test.py). Installs what it needs
# with apt when missing. Needs the jars of `mvn -q package -DskipTests` (or verify) and root.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo/docker/test"
build="$repo/docker/.build"
export CONTAINERS_CONF="$here/containers.conf"
start=$(date +%s)
step() { echo "[container-test $(($(date +%s) - start)) s] $*"; }

need=()
for tool in podman:podman runc:runc mmdebstrap:mmdebstrap newuidmap:uidmap /usr/lib/podman/netavark:netavark \
  /usr/lib/podman/aardvark-dns:aardvark-dns; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || [[ -x "${tool%%:*}" ]] || need+=("${tool#*:}")
done
python3 -c 'import yaml' 2>/dev/null || need+=(python3-yaml)
python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
if ((${#need[@]})); then
  step "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
for jar in worker/target/scorestream-worker.jar gateway/target/scorestream-gateway.jar \
  trainer/target/scorestream-trainer.jar cli/target/scorestream.jar; do
  [[ -f "$repo/$jar" ]] || { echo "container-test: $jar is missing: run mvn -q package -DskipTests first" >&2; exit 1; }
done

mkdir -p "$build"
if ! podman image exists localhost/scorestream-minbase:bookworm; then
  step "making a Debian bookworm minbase with mmdebstrap"
  mmdebstrap --quiet --variant=minbase bookworm "$build/minbase.tar" http://deb.debian.org/debian
  podman import -q "$build/minbase.tar" localhost/scorestream-minbase:bookworm >/dev/null
  rm -f "$build/minbase.tar"
fi
step "jlink: the JRE the services and the broker need"
rm -rf "$build/jre-context" && mkdir -p "$build/jre-context"
jlink --add-modules java.base,java.compiler,java.desktop,java.management,java.naming,java.net.http,java.security.jgss,java.security.sasl,java.sql,jdk.crypto.ec,jdk.httpserver,jdk.jfr,jdk.management,jdk.unsupported,jdk.zipfs \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output "$build/jre-context/jre"
podman build -q -f "$here/jre.Dockerfile" -t localhost/scorestream-jre:17 "$build/jre-context" >/dev/null

step "the broker image from Central's Kafka jars"
rm -rf "$build/kafka" && mkdir -p "$build/kafka"
(cd "$repo" && mvn -q dependency:copy-dependencies -pl embedded-broker -DincludeScope=runtime \
  -DoutputDirectory="$build/kafka/libs")
cp "$repo/docker/kafka/run.sh" "$build/kafka/"
podman build -q --format docker -f "$repo/docker/kafka/Dockerfile" --build-arg RUNTIME_IMAGE=localhost/scorestream-jre:17 \
  -t localhost/scorestream-kafka:test "$build/kafka" >/dev/null

base=$(podman image inspect localhost/scorestream-jre:17 --format '{{.Size}}')
echo "| image | size | over the JRE base |"
echo "| --- | ---: | ---: |"
for service in worker gateway trainer; do
  image="localhost/scorestream-$service:test"
  podman build -q --format docker -f "$repo/docker/$service.Dockerfile" --build-arg JAR_SOURCE=prebuilt \
    --build-arg RUNTIME_IMAGE=localhost/scorestream-jre:17 -t "$image" "$repo" >/dev/null
  user=$(podman image inspect "$image" --format '{{.Config.User}}')
  [[ "$user" == "10001:10001" ]] || { echo "$service runs as '$user', not 10001:10001" >&2; exit 1; }
  [[ "$(podman run --rm --no-healthcheck --entrypoint id "$image" -u)" == "10001" ]] || { echo "$service runs as root" >&2; exit 1; }
  # the image carries its service's jar alone, the very jar whose contents its *ArtifactIT checked
  shipped=$(podman run --rm --no-healthcheck --entrypoint bash "$image" -c 'ls /app; sha256sum /app/*.jar | cut -d" " -f1')
  expected="scorestream-$service.jar"$'\n'"$(sha256sum "$repo/$service/target/scorestream-$service.jar" | cut -d' ' -f1)"
  [[ "$shipped" == "$expected" ]] || { echo "$service's /app is not its jar alone: $shipped" >&2; exit 1; }
  podman run --rm --no-healthcheck "$image" --help >/dev/null 2>&1 || { echo "$service --help failed" >&2; exit 1; }
  size=$(podman image inspect "$image" --format '{{.Size}}')
  echo "| $service | $((size / 1000000)) MB | $(((size - base) / 1000000)) MB |"
done
step "images built and checked"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/fleet_test.py" "$repo" "$work"
step "done"
