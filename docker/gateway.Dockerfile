# The gateway's image: the HTTP API and dashboard: Vert.x, no ONNX Runtime, no PyTorch. Its tenants file comes from
# SCORESTREAM_TENANTS (a secret); `docker run IMAGE add-key --tenants F --tenant T` makes keys.
#
# Built from the repository's root, either from source in a Maven image (the default) or, with
# --build-arg JAR_SOURCE=prebuilt, from the jar that `mvn -q package -DskipTests` left in gateway/target. The base
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
RUN --mount=type=cache,target=/root/.m2 mvn -B -q ${MAVEN_ARGS} -pl gateway -am package -DskipTests

FROM scratch AS prebuilt
COPY gateway/target/scorestream-gateway.jar /src/gateway/target/scorestream-gateway.jar

FROM ${JAR_SOURCE} AS jar

FROM ${RUNTIME_IMAGE}
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin scorestream
COPY --from=jar /src/gateway/target/scorestream-gateway.jar /app/scorestream-gateway.jar
USER 10001:10001
# heap as a share of the container's memory limit (ONNX Runtime's arenas and PyTorch's tensors live outside it);
# a JVM out of memory exits for the supervisor to restart, rather than limping on
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENV SCORESTREAM_PORT=8080
EXPOSE 8080
# ready: Kafka reachable and the job index caught up (/healthz says alive, /metrics serves Prometheus)
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
# exec form: java is PID 1 and gets the SIGTERM
ENTRYPOINT ["java", "-jar", "/app/scorestream-gateway.jar"]
