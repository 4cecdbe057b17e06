package io.scorestream.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.proto.v1.GenerateRequest;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A command's client tells "nothing listens there" (fails at once) from "the broker is slow"
 * (waits, saying so once): with 16 submits started beside a busy fleet on two cores, a broker that
 * listened but answered late was reported as absent after 15 s and those jobs were never sent.
 */
@Tag("integration")
class BrokerReachTest {
  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void anAddressWhereNothingListensFailsAtOnceNamingIt() throws Exception {
    int port = freePort();
    String bootstrap = "127.0.0.1:" + port;
    assertTrue(
        BrokerReach.nothingListens(bootstrap, Duration.ofSeconds(3))
            .orElseThrow()
            .contains("nothing listens at " + bootstrap));
    assertTrue(
        BrokerReach.nothingListens("no-such-host.invalid:9092", Duration.ofSeconds(3))
            .orElseThrow()
            .contains("does not resolve"));
    try (JobClient client =
        new JobClient(
            KafkaClients.of(bootstrap),
            TopicNames.defaults(),
            new JobClient.Patience(Duration.ofSeconds(60), Duration.ofSeconds(1), line -> {}))) {
      long start = System.nanoTime();
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> client.submit(GenerateRequest.newBuilder().setJobId("j").build()));
      assertTrue(e.getMessage().contains("nothing listens"), e.getMessage());
      assertTrue(
          System.nanoTime() - start < Duration.ofSeconds(10).toNanos(),
          "at once, not after the wait");
    }
  }

  @Test
  void aBrokerThatListensButIsSlowIsWaitedForAndTheWaitIsSaidOnce() throws Exception {
    List<String> said = new CopyOnWriteArrayList<>();
    try (ServerSocket silent =
        new ServerSocket(0)) { // accepts connections, never answers: a broker far behind
      String bootstrap = "127.0.0.1:" + silent.getLocalPort();
      assertEquals(Optional.empty(), BrokerReach.nothingListens(bootstrap, Duration.ofSeconds(3)));
      try (JobClient client =
          new JobClient(
              KafkaClients.of(bootstrap),
              TopicNames.defaults(),
              new JobClient.Patience(Duration.ofSeconds(4), Duration.ofMillis(500), said::add))) {
        IllegalStateException e =
            assertThrows(
                IllegalStateException.class,
                () -> client.submit(GenerateRequest.newBuilder().setJobId("j").build()));
        assertTrue(
            e.getMessage().contains("no broker answered at " + bootstrap + " within 4 s"),
            e.getMessage());
      }
    }
    assertEquals(1, said.size(), "said once: " + said);
    assertTrue(said.get(0).startsWith("waiting for Kafka at"), said.get(0));
  }
}
