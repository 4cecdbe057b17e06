# The local stand-in for eclipse-temurin:17-jre: Debian's minimal base (mmdebstrap --variant=minbase) and a JRE that
# jlink cut from the machine's JDK to the modules the services and the broker use (jdeps --print-module-deps).
ARG BASE=localhost/scorestream-minbase:bookworm
FROM ${BASE}
COPY jre/ /opt/java/openjdk/
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
