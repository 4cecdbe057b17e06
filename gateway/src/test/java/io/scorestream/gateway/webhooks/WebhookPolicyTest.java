package io.scorestream.gateway.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which destinations the webhook policy takes, and how retries back off. */
class WebhookPolicyTest {
  @Test
  void onlyGloballyRoutableAddressesArePublic() throws Exception {
    for (String inside :
        List.of(
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "192.0.0.8",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "::ffff:10.0.0.1")) {
      assertFalse(WebhookPolicy.isPublic(InetAddress.getByName(inside)), inside);
    }
    for (String outside :
        List.of("8.8.8.8", "1.1.1.1", "151.101.1.69", "2606:4700::1111", "100.128.0.1")) {
      assertTrue(WebhookPolicy.isPublic(InetAddress.getByName(outside)), outside);
    }
  }

  @Test
  void theAllowListTakesExactHostsAndSubdomainsOfAWildcard() {
    WebhookPolicy policy =
        new WebhookPolicy(List.of("hooks.example.com", "*.corp.example"), false, false);
    assertTrue(policy.refuse(URI.create("https://hooks.example.com/a")).isEmpty());
    assertTrue(policy.refuse(URI.create("https://ci.corp.example/a")).isEmpty());
    assertFalse(
        policy.refuse(URI.create("https://corp.example/a")).isEmpty(),
        "the wildcard is for subdomains");
    assertFalse(policy.refuse(URI.create("https://evil-hooks.example.com/a")).isEmpty());
    assertFalse(policy.refuse(URI.create("http://hooks.example.com/a")).isEmpty(), "https only");
    assertTrue(
        WebhookPolicy.anywhere().refuse(URI.create("http://127.0.0.1:9/a")).isEmpty(),
        "dev and tests");
  }

  @Test
  void retriesBackOffExponentiallyUpToTheLongestWait() {
    WebhookSettings s = WebhookSettings.defaults(WebhookPolicy.publicHttps());
    assertEquals(Duration.ofSeconds(5), s.backoff(1));
    assertEquals(Duration.ofSeconds(10), s.backoff(2));
    assertEquals(Duration.ofSeconds(40), s.backoff(4));
    assertEquals(Duration.ofHours(1), s.backoff(15));
    assertEquals(Duration.ofHours(1), s.backoff(1000));
  }

  @Test
  void answersAreClassedAsStandardWebhooksReceiversExpect() {
    assertEquals(WebhookSender.Kind.DELIVERED, WebhookSender.classify(204, null).kind());
    assertEquals(WebhookSender.Kind.RETRY, WebhookSender.classify(500, null).kind());
    assertEquals(WebhookSender.Kind.RETRY, WebhookSender.classify(408, null).kind());
    assertEquals(
        Duration.ofSeconds(30), WebhookSender.classify(429, "30").retryAfter().orElseThrow());
    assertEquals(
        Duration.ofHours(1), WebhookSender.classify(503, "999999").retryAfter().orElseThrow());
    assertEquals(WebhookSender.Kind.REFUSED, WebhookSender.classify(410, null).kind());
    assertEquals(
        WebhookSender.Kind.REFUSED,
        WebhookSender.classify(301, null).kind(),
        "redirects are not followed");
  }
}
