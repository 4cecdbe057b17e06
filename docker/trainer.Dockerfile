# The trainer's image: learns from a dataset's topic and publishes checkpoints: DJL with PyTorch's CPU natives, which it unpacks
# into DJL_CACHE_DIR at its first step. Give it a volume at /var/lib/scorestream for its training state
# (SCORESTREAM_STATE_DIR).
#
# Built from the repository's root, either from source in a Maven image (the default) or, with
# --build-arg JAR_SOURCE=prebuilt, from the jar that `mvn -q package -DskipTests` left in trainer/target. The base
# images are arguments, so an offline machine can use its own (docker/test/container-test.sh does). Docker's
# BuildKit picks the stage JAR_SOURCE names by itself; podman/buildah 4.x needs --skip-unused-stages=false for the
# source build (it skips the build stage before it reads JAR_SOURCE).
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-noble
ARG JAR_SOURCE=build

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
ARG MAVEN_ARGS=""
RUN --mount=type=cache,target=/root/.m2 mvn -B -q ${MAVEN_ARGS} -pl trainer -am package -DskipTests

FROM scratch AS prebuilt
COPY trainer/target/scorestream-trainer.jar /src/trainer/target/scorestream-trainer.jar

FROM ${JAR_SOURCE} AS jar

FROM ${RUNTIME_IMAGE}
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin scorestream
RUN mkdir -p /var/lib/scorestream && chown 10001:10001 /var/lib/scorestream
VOLUME /var/lib/scorestream
COPY --from=jar /src/trainer/target/scorestream-trainer.jar /app/scorestream-trainer.jar
USER 10001:10001
# heap as a share of the container's memory limit (ONNX Runtime's arenas and PyTorch's tensors live outside it);
# a JVM out of memory exits for the supervisor to restart, rather than limping on
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError"
ENV SCORESTREAM_METRICS_HOST=0.0.0.0 \
    SCORESTREAM_METRICS_PORT=9404 \
    SCORESTREAM_STATE_DIR=/var/lib/scorestream \
    DJL_CACHE_DIR=/var/lib/scorestream/djl \
    TORCH_CPP_LOG_LEVEL=ERROR \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=536870912:glibc.malloc.top_pad=67108864
EXPOSE 9404
# alive and serving metrics (step, loss, checkpoints); compose and Kubernetes probe the same URL
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9404 && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
# exec form: java is PID 1 and gets the SIGTERM
ENTRYPOINT ["java", "-jar", "/app/scorestream-trainer.jar"]
