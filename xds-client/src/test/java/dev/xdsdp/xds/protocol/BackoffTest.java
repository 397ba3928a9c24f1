package dev.xdsdp.xds.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void ceilingDoublesFrom500msTo30sAndResets() {
    Backoff b = new Backoff(Backoff.DEFAULT_BASE, Backoff.DEFAULT_MAX, new Random(1));
    long[] expected = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
    for (long ceiling : expected) {
      assertEquals(Duration.ofMillis(ceiling), b.currentCeiling());
      Duration d = b.next();
      assertTrue(!d.isNegative() && d.toMillis() < ceiling, d + " < " + ceiling);
    }
    b.reset();
    assertEquals(Duration.ofMillis(500), b.currentCeiling());
  }

  @Test
  void waitsAreJitteredOverTheWholeRange() {
    Backoff b = new Backoff(Duration.ofMillis(1000), Duration.ofMillis(1000), new Random(7));
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 500; i++) {
      long d = b.next().toMillis();
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertTrue(min < 100 && max > 900, "spread " + min + ".." + max);
  }

  @Test
  void tokenBucketRefillsAtItsRate() {
    long[] now = {0};
    TokenBucket t = new TokenBucket(2, 10, () -> now[0]);
    assertTrue(t.tryConsume());
    assertTrue(t.tryConsume());
    assertTrue(!t.tryConsume());
    assertEquals(Duration.ofMillis(100), t.untilNext());
    now[0] += 100_000_000;
    assertTrue(t.tryConsume());
    assertTrue(!t.tryConsume());
  }

  @Test
  void nackMessagesAreTruncatedAsEnvoys() {
    var s = ControlPlaneClient.errorDetail("x".repeat(10_000));
    assertEquals(13, s.getCode());
    assertEquals(ControlPlaneClient.MAX_ERROR_DETAIL, s.getMessage().length());
    assertTrue(s.getMessage().endsWith("...(truncated)"));
  }
}
