# The GPU worker's image: the worker built with -Pgpu (ONNX Runtime 1.23.2's CUDA build) on NVIDIA's CUDA 12 runtime
# with cuDNN 9, the libraries that build's CUDA provider loads (docker/test/container-test.sh checks its NEEDED
# entries against them), a Temurin 17 JRE copied in, and the CPU worker image's non-root layout. It runs its models
# on cuda:0 (SCORESTREAM_DEVICE); give it a GPU (compose: `--profile gpu`, a device reservation; Kubernetes:
# nvidia.com/gpu) through the NVIDIA Container Toolkit, whose driver must serve CUDA 12. Without a GPU it says why
# at start, runs on the CPU, and shows that in its heartbeats and metrics. ONNX Runtime 1.27 and later want CUDA 13:
# move RUNTIME_IMAGE to a 13.x cuDNN base with them.
#
# Built from the repository's root, from source in a Maven image (the default) or, with --build-arg
# JAR_SOURCE=prebuilt, from worker/target/scorestream-worker-gpu.jar (`mvn -q package -DskipTests -Pgpu -pl worker
# -am`). The base images are arguments, so an offline machine can use its own (the container test does).
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
ARG JRE_IMAGE=eclipse-temurin:17-jre-noble
ARG JAR_SOURCE=build

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
ARG MAVEN_ARGS=""
RUN --mount=type=cache,target=/root/.m2 mvn -B -q ${MAVEN_ARGS} -Pgpu -pl worker -am package -DskipTests

FROM scratch AS prebuilt
COPY worker/target/scorestream-worker-gpu.jar /src/worker/target/scorestream-worker-gpu.jar

FROM ${JAR_SOURCE} AS jar

FROM ${JRE_IMAGE} AS jre

FROM ${RUNTIME_IMAGE}
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin scorestream
COPY --from=jar /src/worker/target/scorestream-worker-gpu.jar /app/scorestream-worker-gpu.jar
USER 10001:10001
# heap as a share of the container's memory limit (ONNX Runtime's arenas live outside it); a JVM out of memory
# exits for the supervisor to restart, rather than limping on
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"
ENV SCORESTREAM_METRICS_HOST=0.0.0.0 \
    SCORESTREAM_METRICS_PORT=9404 \
    SCORESTREAM_DEVICE=cuda:0 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
EXPOSE 9404
# alive and serving metrics (the worker has no other HTTP port); compose and Kubernetes probe the same URL
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9404 && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
# exec form: java is PID 1 and gets the SIGTERM
ENTRYPOINT ["java", "-jar", "/app/scorestream-worker-gpu.jar"]
