#!/usr/bin/env bash
# Writes server.properties from the environment as the apache/kafka image does (KAFKA_ prefix; in the rest '___'
# stands for '-', '__' for '_' and '_' for '.'), formats the log directory for CLUSTER_ID once, and becomes the broker.
set -euo pipefail
config=/opt/kafka/config/server.properties
: >"$config"
while IFS='=' read -r name value; do
  [[ "$name" == KAFKA_* && "$name" != KAFKA_HEAP_OPTS && "$name" != KAFKA_OPTS ]] || continue
  key="${name#KAFKA_}"
  key="${key//___/-}"
  key="${key//__/@}"
  key="${key//_/.}"
  key="${key//@/_}"
  printf '%s=%s\n' "${key,,}" "$value" >>"$config"
done < <(env)
: "${CLUSTER_ID:?CLUSTER_ID is not set: give every node of the cluster the same one}"
grep -q '^log.dirs=' "$config" || echo "log.dirs=/var/lib/kafka/data" >>"$config"
classpath="/opt/kafka/libs/*"
java -cp "$classpath" kafka.tools.StorageTool format --cluster-id "$CLUSTER_ID" --config "$config" --ignore-formatted
exec java ${KAFKA_HEAP_OPTS:-} ${KAFKA_OPTS:-} -cp "$classpath" kafka.Kafka "$config"
