package dev.xdsdp.it.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.TcpClient;
import dev.xdsdp.it.support.TcpEcho;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code envoy.filters.network.tcp_proxy} through real sockets: bytes both ways to a real echo
 * server, weighted clusters, the idle timeout, connect failures with retries, no route, the
 * connection circuit breaker, access logs and Envoy's {@code tcp.<stat_prefix>.*} stats.
 */
class TcpProxyIT {

  @TempDir
  static Path tmp;

  static TcpEcho echoA;
  static TcpEcho echoB;
  static Dataplane dp;
  static Path log;

  @BeforeAll
  static void start() throws Exception {
    echoA = TcpEcho.start("");
    echoB = TcpEcho.start("b:");
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    log = tmp.resolve("tcp.log");
    dp = Dataplane.startBootstrap("tcp-proxy.yaml", Map.of("ECHO_A", echoA.port(), "ECHO_B", echoB.port(), "DEAD", dead, "LOG", log),
        "--file-flush-interval-msec", "50");
  }

  @AfterAll
  static void stop() {
    dp.close();
    echoA.close();
    echoB.close();
  }

  /** The access log lines starting with {@code prefix}, waiting until there are {@code n}. */
  static List<String> logLines(String prefix, int n) throws Exception {
    List<String> lines = List.of();
    for (int i = 0; i < 100; i++) {
      if (Files.exists(log)) {
        lines = Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix + " ")).toList();
        if (lines.size() >= n) {
          return lines;
        }
      }
      Thread.sleep(50);
    }
    return lines;
  }

  static void awaitStat(String name, long value) throws Exception {
    for (int i = 0; i < 100 && dp.stat(name) != value; i++) {
      Thread.sleep(50);
    }
    assertEquals(value, dp.stat(name), name);
  }

  @Test
  void bytesGoBothWaysAndAreCountedAndLogged() throws Exception {
    try (TcpClient c = new TcpClient(dp.port("echo"))) {
      assertEquals("hello", c.roundTrip("hello", "hello"));
      assertEquals("world!", c.roundTrip("world!", "world!"));
    }
    List<String> lines = logLines("echo", 1);
    assertEquals(1, lines.size(), lines.toString());
    assertEquals("echo echo_a 11 11 - 127.0.0.1:" + echoA.port(), lines.getFirst());
    awaitStat("tcp.echo.downstream_cx_total", 1);
    assertEquals(11, dp.stat("tcp.echo.downstream_cx_rx_bytes_total"));
    assertEquals(11, dp.stat("tcp.echo.downstream_cx_tx_bytes_total"));
    assertTrue(dp.stat("cluster.echo_a.upstream_cx_tx_bytes_total") >= 11);
  }

  @Test
  void weightedClustersSplitConnections() throws Exception {
    int a = 0;
    int b = 0;
    for (int i = 0; i < 40; i++) {
      try (TcpClient c = new TcpClient(dp.port("weighted"))) {
        String answer = c.send("x").read(1);
        if (answer.equals("x")) {
          a++;
        } else {
          assertEquals("b:x", answer + c.read(2));
          b++;
        }
      }
    }
    assertEquals(40, a + b);
    assertTrue(a > 0 && b > a, "weights 1:3 gave " + a + ":" + b);
  }

  @Test
  void idleConnectionsAreClosed() throws Exception {
    try (TcpClient c = new TcpClient(dp.port("idle"))) {
      assertEquals("ping", c.roundTrip("ping", "ping"));
      long t0 = System.nanoTime();
      assertTrue(c.closedByPeer(3000), "the proxy closes an idle connection");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 200, "closed after " + ms + " ms, before the 300 ms idle timeout");
    }
    awaitStat("tcp.idle.idle_timeout", 1);
    awaitStat("cluster.echo_a.upstream_cx_active", 0);
  }

  @Test
  void activityKeepsTheConnectionOpenPastTheIdleTimeout() throws Exception {
    try (TcpClient c = new TcpClient(dp.port("idle"))) {
      for (int i = 0; i < 6; i++) {
        assertEquals("tick" + i, c.roundTrip("tick" + i, "tick" + i));
        Thread.sleep(100);
      }
    }
  }

  @Test
  void connectFailuresAreRetriedThenTheConnectionIsClosed() throws Exception {
    try (TcpClient c = new TcpClient(dp.port("refused"))) {
      c.send("lost");
      assertTrue(c.closedByPeer(5000));
    }
    List<String> lines = logLines("refused", 1);
    // Reading stays disabled until an upstream connects, so the proxy never read the 4 bytes.
    assertEquals("refused dead 0 0 UF,URX", lines.getFirst());
    awaitStat("cluster.dead.upstream_cx_connect_fail", 3);
    assertEquals(1, dp.stat("cluster.dead.upstream_cx_connect_attempts_exceeded"));
    assertEquals(0, dp.stat("cluster.dead.upstream_cx_active"));
  }

  @Test
  void anUnknownClusterIsNoRoute() throws Exception {
    try (TcpClient c = new TcpClient(dp.port("noroute"))) {
      assertTrue(c.closedByPeer(3000));
    }
    awaitStat("tcp.noroute.downstream_cx_no_route", 1);
  }

  @Test
  void theConnectionCircuitBreakerOverflows() throws Exception {
    try (TcpClient first = new TcpClient(dp.port("limited"))) {
      assertEquals("one", first.roundTrip("one", "one"));
      try (TcpClient second = new TcpClient(dp.port("limited"))) {
        assertTrue(second.closedByPeer(3000), "the second connection exceeds max_connections: 1");
      }
      assertEquals("still", first.roundTrip("still", "still"));
    }
    awaitStat("cluster.limited.upstream_cx_overflow", 1);
    assertFalse(dp.stat("cluster.limited.upstream_cx_total") > 1);
  }
}
