package io.scorestream.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka cluster in this JVM: one KRaft server acting as broker and controller,
 * from the Kafka artifacts on Maven Central, listening on loopback, with its data in a directory of
 * the caller's choice (formatted on first use, reused after, with the port it listened on). What
 * {@code scorestream dev} and the integration tests run on when no {@code --bootstrap-servers} is
 * given.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final int NODE_ID = 1;
  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Path dataDir;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path dataDir) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.dataDir = dataDir;
  }

  /**
   * Starts a broker with its data in {@code dataDir} on the port it had there before, or on a free
   * one, and records records of up to {@code maxMessageBytes}.
   *
   * @throws IllegalStateException naming the port or directory at fault when it cannot start
   */
  public static EmbeddedKafka start(Path dataDir, int maxMessageBytes) {
    return start(dataDir, 0, maxMessageBytes);
  }

  /**
   * Starts a broker with its data in {@code dataDir}. It listens on {@code port}, or, when that is
   * 0, on the port recorded in the data directory by its last start (so that clients of a restarted
   * broker find it where it was), or else on a free port, retrying once on another when the first
   * start fails (a port taken between probing and binding). The port it listens on is recorded for
   * the next start.
   *
   * @throws IllegalStateException naming the port or directory at fault when it cannot start
   */
  public static EmbeddedKafka start(Path dataDir, int port, int maxMessageBytes) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create the Kafka data directory " + dataDir + ": " + e.getMessage(), e);
    }
    if (!Files.isWritable(dataDir)) {
      throw new IllegalStateException("the Kafka data directory " + dataDir + " is not writable");
    }
    int chosen = port > 0 ? port : recordedPort(dataDir);
    if (chosen > 0) {
      if (!isFree(chosen)) {
        throw new IllegalStateException(
            "port "
                + chosen
                + (port > 0 ? "" : " (where the broker of " + dataDir + " listened before)")
                + " is in use; stop what listens there, or choose another port");
      }
      EmbeddedKafka kafka = startOrExplain(dataDir, chosen, maxMessageBytes);
      record(dataDir, chosen);
      return kafka;
    }
    RuntimeException first = null;
    for (int attempt = 1; attempt <= 2; attempt++) {
      int brokerPort = freePort();
      try {
        EmbeddedKafka kafka = startOnce(dataDir, brokerPort, freePort(), maxMessageBytes);
        record(dataDir, brokerPort);
        return kafka;
      } catch (RuntimeException e) {
        if (first != null) {
          throw new IllegalStateException(
              "embedded Kafka broker failed to start twice; last on 127.0.0.1:"
                  + brokerPort
                  + " with data in "
                  + dataDir
                  + ": "
                  + rootMessage(e),
              e);
        }
        first = e;
      }
    }
    throw new AssertionError("unreachable");
  }

  private static EmbeddedKafka startOrExplain(Path dataDir, int port, int maxMessageBytes) {
    try {
      return startOnce(dataDir, port, freePort(), maxMessageBytes);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "embedded Kafka broker failed to start on 127.0.0.1:"
              + port
              + " with data in "
              + dataDir
              + ": "
              + rootMessage(e),
          e);
    }
  }

  /** The file in a data directory that keeps the port its broker listened on. */
  private static Path portFile(Path dataDir) {
    return dataDir.resolve("scorestream-broker.port");
  }

  private static int recordedPort(Path dataDir) {
    Path file = portFile(dataDir);
    if (!Files.exists(file)) {
      return 0;
    }
    try {
      int port = Integer.parseInt(Files.readString(file).trim());
      return port > 0 && port <= 65535 ? port : 0;
    } catch (IOException | NumberFormatException e) {
      return 0; // an unreadable record is no record: a free port then
    }
  }

  private static void record(Path dataDir, int port) {
    try {
      Files.writeString(portFile(dataDir), port + System.lineSeparator());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot record the broker's port in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** True when nothing listens on this loopback port now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 0, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static EmbeddedKafka startOnce(
      Path dataDir, int brokerPort, int controllerPort, int maxMessageBytes) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller"); // one node is the whole cluster
    p.put("node.id", Integer.toString(NODE_ID)); // fixed, so a reused data directory matches
    p.put(
        "controller.quorum.voters",
        NODE_ID + "@127.0.0.1:" + controllerPort); // a static quorum of one
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put(
        "advertised.listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort); // clients reach it on loopback only
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dataDir.toString()); // the caller's directory holds everything
    p.put("offsets.topic.replication.factor", "1"); // internal topics cannot replicate on one node
    p.put("offsets.topic.num.partitions", "6"); // fewer than the default 50: faster start
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0"); // no wait for more members in dev and tests
    p.put(
        "message.max.bytes", Integer.toString(maxMessageBytes)); // whole checkpoints fit one record
    p.put("auto.create.topics.enable", "false"); // topics are created with their configs
    p.put(
        "group.consumer.min.session.timeout.ms",
        "6000"); // a dead worker's jobs move on within seconds,
    p.put("group.consumer.session.timeout.ms", "10000"); // not the production default of 45 s
    p.put("group.consumer.min.heartbeat.interval.ms", "1000");
    p.put("group.consumer.heartbeat.interval.ms", "2000");
    if (!Files.exists(dataDir.resolve("meta.properties"))) {
      format(dataDir);
    }
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p), Time.SYSTEM);
    String bootstrap = "127.0.0.1:" + brokerPort;
    try {
      server.startup();
      awaitReady(bootstrap);
      return new EmbeddedKafka(server, bootstrap, dataDir);
    } catch (RuntimeException e) {
      server.shutdown();
      server.awaitShutdown();
      throw e;
    }
  }

  /** Formats an empty data directory for this one-node cluster, with a new cluster id. */
  private static void format(Path dataDir) {
    try {
      new Formatter()
          .setClusterId(Uuid.randomUuid().toString())
          .setNodeId(NODE_ID)
          .setDirectories(List.of(dataDir.toString()))
          .setMetadataLogDirectory(dataDir.toString())
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .run();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot format Kafka data directory " + dataDir + ": " + rootMessage(e), e);
    }
  }

  private static void awaitReady(String bootstrap) {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                "60000"))) { // a slow machine may take a while
      admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "broker on " + bootstrap + " did not answer: " + rootMessage(e), e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free loopback port: " + e.getMessage(), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  /** {@code host:port} for clients. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Where the broker keeps its data. */
  public Path dataDir() {
    return dataDir;
  }

  /** Stops the broker and waits until it has stopped; its data stays in the data directory. */
  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
