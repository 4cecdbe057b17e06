package io.scorestream.jobs.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tells "nothing listens there" from "the broker is slow" before a client waits: a TCP connection
 * to each bootstrap address that is refused (or whose host does not resolve) fails at once, while a
 * broker that accepts the connection and is slow to answer (a loaded machine, a broker still
 * starting) is worth waiting for.
 */
public final class BrokerReach {
  private BrokerReach() {}

  /**
   * A sentence saying that nothing listens at any of these bootstrap addresses ({@code
   * host:port,...}), or empty when one of them accepts a connection within {@code timeout} (or
   * cannot be told either way in that time).
   */
  public static Optional<String> nothingListens(String bootstrapServers, Duration timeout) {
    List<String> why = new ArrayList<>();
    for (String address : bootstrapServers.split(",")) {
      String a = address.trim();
      int colon = a.lastIndexOf(':');
      if (colon <= 0) {
        why.add(a + " is not host:port");
        continue;
      }
      String host = a.substring(0, colon).replace("[", "").replace("]", "");
      int port;
      try {
        port = Integer.parseInt(a.substring(colon + 1));
      } catch (NumberFormatException e) {
        why.add(a + " is not host:port");
        continue;
      }
      InetSocketAddress target = new InetSocketAddress(host, port);
      if (target.isUnresolved()) {
        why.add(host + " does not resolve");
        continue;
      }
      try (Socket socket = new Socket()) {
        socket.connect(target, (int) timeout.toMillis());
        return Optional.empty(); // something listens: a broker, perhaps a slow one
      } catch (SocketTimeoutException e) {
        return Optional
            .empty(); // no answer in time is not a refusal: perhaps a slow network, so wait
      } catch (IOException e) {
        why.add("nothing listens at " + a + " (" + e.getMessage() + ")");
      }
    }
    return Optional.of(
        String.join("; ", why) + ": is Kafka running there, and is that its advertised address?");
  }
}
