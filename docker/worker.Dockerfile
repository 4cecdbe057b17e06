# The worker's image: one worker of the fleet: ONNX Runtime, no PyTorch, no Vert.x. SIGTERM lets its running jobs finish (up to
# --drain-timeout, 30 s) and ends it with status 0; give it a stop grace period longer than that.
#
# Built from the repository's root, either from source in a Maven image (the default) or, with
# --build-arg JAR_SOURCE=prebuilt, from the jar that `mvn -q package -DskipTests` left in worker/target. The base
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
RUN --mount=type=cache,target=/root/.m2 mvn -B -q ${MAVEN_ARGS} -pl worker -am package -DskipTests

FROM scratch AS prebuilt
COPY worker/target/scorestream-worker.jar /src/worker/target/scorestream-worker.jar

FROM ${JAR_SOURCE} AS jar

FROM ${RUNTIME_IMAGE}
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin scorestream
COPY --from=jar /src/worker/target/scorestream-worker.jar /app/scorestream-worker.jar
USER 10001:10001
# heap as a share of the container's memory limit (ONNX Runtime's arenas and PyTorch's tensors live outside it);
# a JVM out of memory exits for the supervisor to restart, rather than limping on
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"
ENV SCORESTREAM_METRICS_HOST=0.0.0.0 \
    SCORESTREAM_METRICS_PORT=9404
EXPOSE 9404
# alive and serving metrics (the worker has no other HTTP port); compose and Kubernetes probe the same URL
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9404 && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
# exec form: java is PID 1 and gets the SIGTERM
ENTRYPOINT ["java", "-jar", "/app/scorestream-worker.jar"]
