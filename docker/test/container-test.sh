#!/usr/bin/env bash
# The container test that .ci/run runs after the Maven suite (README, "Deploy"): on a machine with no Docker engine,
# builds a Debian base (mmdebstrap) and a jlink'd JRE on it, the broker image and every service's image from the
# Dockerfiles in docker/ (bases overridden, jars from `mvn package`), checks each runs as non-root and carries its own
# jar alone, reports the sizes; builds the GPU worker's jar (-Pgpu) and image, checks the CUDA major its ONNX Runtime
# links against is its base's and that, without a GPU, it runs and says why it serves from the CPU
# (gpu_image_test.py); runs compose.yaml's fleet under faults (fleet_test.py); then deploy/kubernetes's gateway and
# worker Deployments with `podman kube play` and a job through them (kube_play_test.py). Installs what it needs with
# apt when missing. Needs the jars of `mvn -q package -DskipTests` (or verify) and root.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo/docker/test"
build="$repo/docker/.build"
export CONTAINERS_CONF="$here/containers.conf"
start=$(date +%s)
step() { echo "[container-test $(($(date +%s) - start)) s] $*"; }

need=()
for tool in podman:podman runc:runc mmdebstrap:mmdebstrap newuidmap:uidmap /usr/lib/podman/netavark:netavark \
  /usr/lib/podman/aardvark-dns:aardvark-dns readelf:binutils unzip:unzip catatonit:catatonit; do
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
# image NAME JAR [BUILD ARGS...]: builds docker/NAME.Dockerfile from JAR (under the repository) on the local bases,
# checks it runs as 10001 and carries JAR alone, and prints its size
image() {
  local name="$1" jar="$2" image="localhost/scorestream-$1:test"
  shift 2
  podman build -q --format docker -f "$repo/docker/$name.Dockerfile" --build-arg JAR_SOURCE=prebuilt \
    --build-arg RUNTIME_IMAGE=localhost/scorestream-jre:17 "$@" -t "$image" "$repo" >/dev/null
  user=$(podman image inspect "$image" --format '{{.Config.User}}')
  [[ "$user" == "10001:10001" ]] || { echo "$name runs as '$user', not 10001:10001" >&2; exit 1; }
  [[ "$(podman run --rm --no-healthcheck --entrypoint id "$image" -u)" == "10001" ]] || { echo "$name runs as root" >&2; exit 1; }
  # the image carries its service's jar alone, the very jar whose contents its *ArtifactIT checked
  shipped=$(podman run --rm --no-healthcheck --entrypoint bash "$image" -c 'ls /app; sha256sum /app/*.jar | cut -d" " -f1')
  expected="$(basename "$jar")"$'\n'"$(sha256sum "$repo/$jar" | cut -d' ' -f1)"
  [[ "$shipped" == "$expected" ]] || { echo "$name's /app is not its jar alone: $shipped" >&2; exit 1; }
  podman run --rm --no-healthcheck "$image" --help >/dev/null 2>&1 || { echo "$name --help failed" >&2; exit 1; }
  size=$(podman image inspect "$image" --format '{{.Size}}')
  echo "| $name | $((size / 1000000)) MB | $(((size - base) / 1000000)) MB |"
}
echo "| image | size | over the JRE base |"
echo "| --- | ---: | ---: |"
for service in worker gateway trainer; do
  image "$service" "$service/target/scorestream-$service.jar"
done
step "the service images built and checked"

step "the GPU worker: its jar (mvn -Pgpu), the CUDA its ONNX Runtime links against, its image"
(cd "$repo" && mvn -q package -DskipTests -Pgpu -pl worker -am)
unzip -p "$repo/worker/target/scorestream-worker-gpu.jar" ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so \
  >"$build/providers_cuda.so"
needed=$(readelf -d "$build/providers_cuda.so" | sed -n 's/.*NEEDED.*\[\(lib\(cu\|nv\)[^]]*\)\].*/\1/p' | sort | tr '\n' ' ')
rm -f "$build/providers_cuda.so"
echo "ONNX Runtime's CUDA provider needs: $needed"
cuda_major=$(grep -o 'libcudart\.so\.[0-9]*' <<<"$needed" | sed 's/.*\.//')
base_major=$(sed -n 's|^ARG RUNTIME_IMAGE=nvidia/cuda:\([0-9]*\)\..*|\1|p' "$repo/docker/worker-gpu.Dockerfile")
[[ -n "$cuda_major" && "$cuda_major" == "$base_major" ]] ||
  { echo "the CUDA provider wants CUDA '$cuda_major', worker-gpu.Dockerfile's base has CUDA '$base_major'" >&2; exit 1; }
# no CUDA base offline: the local JRE image stands in for both bases, so the image runs and must fall back to the
# CPU, saying why
image worker-gpu worker/target/scorestream-worker-gpu.jar --build-arg JRE_IMAGE=localhost/scorestream-jre:17
step "the GPU worker image built and checked"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/gpu_image_test.py" "$repo" "$work" "$needed"
python3 "$here/fleet_test.py" "$repo" "$work"
python3 "$here/kube_play_test.py" "$repo" "$work"
step "done"
