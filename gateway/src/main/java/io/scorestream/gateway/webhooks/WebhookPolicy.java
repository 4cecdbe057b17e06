package io.scorestream.gateway.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where webhooks may go, so that a job cannot make the gateway reach its own network: hosts on an
 * allow-list (all public hosts when the list is empty), https only, and never a private, loopback,
 * link-local or other non-public address unless allowed (as in {@code dev} and tests). Addresses
 * are checked when a delivery resolves its host, and the delivery connects to the address it
 * checked, so a name that resolves elsewhere later (DNS rebinding) gains nothing.
 *
 * @param allowedHosts host names taken: {@code hooks.example.com}, or {@code *.example.com} for its
 *     subdomains; empty: any public host
 * @param allowPrivate whether non-public addresses are taken
 * @param allowHttp whether plain {@code http://} URLs are taken
 */
public record WebhookPolicy(List<String> allowedHosts, boolean allowPrivate, boolean allowHttp) {
  public WebhookPolicy {
    allowedHosts =
        allowedHosts.stream()
            .map(h -> h.trim().toLowerCase(Locale.ROOT))
            .filter(h -> !h.isEmpty())
            .toList();
  }

  /** Public https destinations only: a production gateway's default. */
  public static WebhookPolicy publicHttps() {
    return new WebhookPolicy(List.of(), false, false);
  }

  /** Anything, loopback included: for {@code dev} and tests on one machine. */
  public static WebhookPolicy anywhere() {
    return new WebhookPolicy(List.of(), true, true);
  }

  /** Why a URL is refused before any lookup (scheme, host name, a literal address), if it is. */
  public Optional<String> refuse(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("http") && !allowHttp) {
      return Optional.of("webhooks must use https:// on this gateway");
    }
    String host = host(url);
    if (!allowedHosts.isEmpty()
        && allowedHosts.stream().noneMatch(pattern -> matches(pattern, host))) {
      return Optional.of(
          "webhooks may only go to "
              + String.join(", ", allowedHosts)
              + " on this gateway, not "
              + host);
    }
    if (!allowPrivate
        && (host.equals("localhost")
            || host.endsWith(".localhost")
            || host.endsWith(".internal"))) {
      return Optional.of(host + " is not a public host");
    }
    if (isLiteral(host)) {
      try {
        return refuse(InetAddress.getByName(host));
      } catch (UnknownHostException e) {
        return Optional.of("'" + host + "' is not a valid address");
      }
    }
    return Optional.empty();
  }

  /** Why an address is refused, if it is. */
  public Optional<String> refuse(InetAddress address) {
    if (!allowPrivate && !isPublic(address)) {
      return Optional.of(
          address.getHostAddress() + " is not a public address; webhooks may not reach it");
    }
    return Optional.empty();
  }

  /** The host of a URL, lower case, without IPv6 brackets. */
  static String host(URI url) {
    String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static boolean matches(String pattern, String host) {
    return pattern.startsWith("*.") ? host.endsWith(pattern.substring(1)) : host.equals(pattern);
  }

  private static boolean isLiteral(String host) {
    return host.contains(":") || host.matches("[0-9.]+");
  }

  /** True for a globally routable unicast address. */
  static boolean isPublic(InetAddress a) {
    if (a.isAnyLocalAddress()
        || a.isLoopbackAddress()
        || a.isLinkLocalAddress()
        || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first != 0 // "this network"
          && !(first == 100 && second >= 64 && second < 128) // carrier-grade NAT
          && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
          && !(first == 198 && (second == 18 || second == 19)) // benchmarking
          && first < 240; // reserved and broadcast
    }
    if (a instanceof Inet6Address) {
      int first = b[0] & 0xff;
      if ((first & 0xfe) == 0xfc) {
        return false; // unique local fc00::/7
      }
      boolean mapped = true; // ::ffff:a.b.c.d: judge the IPv4 address inside
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        try {
          return isPublic(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
        } catch (UnknownHostException e) {
          return false;
        }
      }
    }
    return true;
  }
}
