package dev.xdsdp.it.http;

import static dev.xdsdp.it.support.Http.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.AccessLogFile;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Envoy's answers when the upstream fails: status, body, response flags, retries and overflow. */
class UpstreamFailuresIT {

  @TempDir
  static Path tmp;

  static EchoUpstream live;
  static int deadPort;
  static Dataplane dp;
  static Path log;
  static ServerSocket blackhole;
  static final List<Socket> blackholeFill = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    live = EchoUpstream.start("live");
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    blackhole = fullListenQueue();
    log = tmp.resolve("access.log");
    dp = Dataplane.startBootstrap("failures.yaml", Map.of("LIVE", live.port(), "DEAD", deadPort, "LOG", log,
        "BLACKHOLE", blackhole.getLocalPort()), "--file-flush-interval-msec", "50");
    // Warm the streaming path once: a cold first stream can stall past the 0.4 s idle timeout, and
    // the tests run in an order fixed by their method names.
    get(dp.uri("idle", "/warm-up?chunks=2"));
  }

  @AfterAll
  static void stop() throws Exception {
    dp.close();
    live.close();
    for (Socket s : blackholeFill) {
      s.close();
    }
    blackhole.close();
  }

  /**
   * A loopback listener that never accepts, its backlog of 1 filled with idle connections until a
   * further connect goes unanswered (Linux drops SYNs for a full accept queue).
   */
  static ServerSocket fullListenQueue() throws Exception {
    ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    for (int i = 0; i < 8; i++) {
      Socket s = new Socket();
      try {
        s.connect(at, 200);
        blackholeFill.add(s);
      } catch (SocketTimeoutException full) {
        s.close();
        return server;
      }
    }
    throw new IllegalStateException("the listen queue never filled up");
  }

  @Test
  void routeTimeoutGives504WithFlagUt() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = get(dp.uri("main", "/timeout?delay=2000"));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(504, r.statusCode());
    assertEquals("upstream request timeout", r.body());
    assertTrue(ms >= 290 && ms < 1800, "answered after " + ms + " ms");
    assertEquals("/timeout?delay=2000 504 UT live 1 upstream_response_timeout", AccessLogFile.line(log, "/timeout?delay=2000 "));
    assertTrue(dp.stat("cluster.live.upstream_rq_timeout") >= 1);
  }

  @Test
  void streamIdleTimeoutGives408WithFlagSiWhenNothingMoves() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = get(dp.uri("idle", "/idle-silent?delay=3000"));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(408, r.statusCode());
    assertEquals("stream timeout", r.body());
    assertTrue(ms >= 390 && ms < 2500, "answered after " + ms + " ms");
    assertEquals("/idle-silent?delay=3000 408 SI live 1 stream_idle_timeout", AccessLogFile.line(log, "/idle-silent?delay=3000 "));
    assertTrue(dp.stat("http.idle.downstream_rq_idle_timeout") >= 1);
  }

  @Test
  void streamActivityKeepsMovingTheIdleDeadline() throws Exception {
    // 24 chunks 50 ms apart: 1.2 s in all, three idle timeouts long, never 0.4 s quiet.
    HttpResponse<String> r = get(dp.uri("idle", "/idle-busy?chunks=24"));
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("chunk23"), r.body());
    assertEquals("/idle-busy?chunks=24 200 - live 1 via_upstream", AccessLogFile.line(log, "/idle-busy?chunks=24 "));
  }

  @Test
  void connectionRefusedGives503WithFlagUf() throws Exception {
    HttpResponse<String> r = get(dp.uri("main", "/refused"));
    assertEquals(503, r.statusCode());
    assertTrue(r.body().startsWith("upstream connect error or disconnect/reset before headers. reset reason: "
        + "remote connection failure, transport failure reason: delayed connect error: Connection refused"), r.body());
    String line = AccessLogFile.line(log, "/refused ");
    assertTrue(line.startsWith("/refused 503 UF dead 1 upstream_reset_before_response_started{remote_connection_failure"), line);
    assertTrue(dp.stat("cluster.dead.upstream_cx_connect_fail") >= 1);
    // As Envoy's pool: the request waited for a connection that failed, so it was pending and was
    // ejected, and it never had a stream, so it is not an upstream request.
    assertEquals(1, dp.stat("cluster.dead.upstream_rq_pending_total"));
    assertEquals(1, dp.stat("cluster.dead.upstream_rq_pending_failure_eject"));
    assertEquals(0, dp.stat("cluster.dead.upstream_rq_pending_active"));
    assertEquals(0, dp.stat("cluster.dead.upstream_rq_total"));
  }

  @Test
  void aRequestThatFindsAnIdleConnectionIsNotPending() throws Exception {
    // One downstream connection, so that every request comes from the event loop that made the
    // upstream connection and finds it idle.
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(dp.uri("main", "/warm/" + i)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
    }
    assertEquals(5, dp.stat("cluster.warm.upstream_rq_total"));
    assertEquals(1, dp.stat("cluster.warm.upstream_rq_pending_total"), "only the first waited, for the connection");
    assertEquals(0, dp.stat("cluster.warm.upstream_rq_pending_active"));
    assertEquals(1, dp.stat("cluster.warm.upstream_cx_total"));
    assertEquals(0, dp.stat("cluster.warm.upstream_rq_active"));
  }

  @Test
  void connectTimeoutGives503WithFlagUf() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = get(dp.uri("main", "/connect-timeout"));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(503, r.statusCode());
    assertTrue(r.body().startsWith("upstream connect error or disconnect/reset before headers. reset reason: "
        + "connection timeout"), r.body());
    // connect_timeout is 0.3 s, the route timeout 5 s.
    assertTrue(ms >= 250 && ms < 1500, "answered after " + ms + " ms");
    assertEquals("/connect-timeout 503 UF blackhole 1 upstream_reset_before_response_started{connection_timeout}",
        AccessLogFile.line(log, "/connect-timeout "));
    assertEquals(1, dp.stat("cluster.blackhole.upstream_cx_connect_timeout"));
  }

  @Test
  void connectFailuresAreRetriedOnAnotherHost() throws Exception {
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = get(dp.uri("main", "/retry-connect?i=" + i));
      assertEquals(200, r.statusCode(), r.body());
    }
    assertTrue(dp.stat("cluster.half-dead.upstream_rq_retry") >= 1);
    assertTrue(dp.stat("cluster.half-dead.upstream_rq_retry_success") >= 1);
  }

  @Test
  void fiveHundredsAreRetriedUntilTheLimitThenPassedOn() throws Exception {
    int before = live.requests();
    HttpResponse<String> r = get(dp.uri("main", "/retry-5xx?status=503"));
    assertEquals(503, r.statusCode());
    assertEquals(3, live.requests() - before, "first attempt + 2 retries");
    assertEquals("/retry-5xx?status=503 503 URX live 3 via_upstream", AccessLogFile.line(log, "/retry-5xx?status=503 "));
  }

  @Test
  void perTryTimeoutRetriesThenTimesOut() throws Exception {
    int before = live.requests();
    HttpResponse<String> r = get(dp.uri("main", "/per-try?delay=1000"));
    assertEquals(504, r.statusCode());
    assertEquals(2, live.requests() - before);
    assertTrue(dp.stat("cluster.live.upstream_rq_per_try_timeout") >= 2);
  }

  @Test
  void circuitBreakerOverflowGives503WithXEnvoyOverloaded() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int n = i;
      inFlight.add(CompletableFuture.supplyAsync(() -> {
        try {
          return get(dp.uri("main", "/limited?delay=700&n=" + n));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
    }
    int ok = 0;
    int overflow = 0;
    for (var f : inFlight) {
      HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        ok++;
      } else {
        assertEquals(503, r.statusCode());
        assertEquals("true", r.headers().firstValue("x-envoy-overloaded").orElse(null));
        assertTrue(r.body().endsWith("reset reason: overflow"), r.body());
        overflow++;
      }
    }
    assertTrue(ok >= 1 && overflow >= 2, "ok=" + ok + " overflow=" + overflow);
    assertTrue(dp.stat("cluster.limited.upstream_rq_pending_overflow") >= 2);
  }

  static CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return get(dp.uri("main", path));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
  }

  static void await(String what, java.util.function.BooleanSupplier condition) throws Exception {
    for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
    assertTrue(condition.getAsBoolean(), what);
  }

  static void assertOverflow(HttpResponse<String> r) {
    assertEquals(503, r.statusCode());
    assertEquals("true", r.headers().firstValue("x-envoy-overloaded").orElse(null));
    assertTrue(r.body().endsWith("reset reason: overflow"), r.body());
  }

  @Test
  void pendingRequestLimitQueuesOneThenOverflows() throws Exception {
    int before = live.requests();
    var first = getAsync("/pending-limited?delay=800&n=1");
    await("first request reached the upstream", () -> live.requests() == before + 1);
    // The only connection is busy: the second request waits in the queue...
    var second = getAsync("/pending-limited?n=2");
    await("second request queued", () -> dp.stat("cluster.pending-limited.upstream_rq_pending_active") == 1);
    // ...and the queue is full for the third.
    long start = System.nanoTime();
    HttpResponse<String> third = get(dp.uri("main", "/pending-limited?n=3"));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertOverflow(third);
    assertTrue(ms < 500, "overflow answered after " + ms + " ms");
    assertEquals("/pending-limited?n=3 503 UO pending-limited 1 upstream_reset_before_response_started{overflow}", AccessLogFile.line(log, "/pending-limited?n=3 "));
    assertEquals(200, first.get(20, TimeUnit.SECONDS).statusCode());
    assertEquals(200, second.get(20, TimeUnit.SECONDS).statusCode(), "the queued request is served");
    assertEquals(1, dp.stat("cluster.pending-limited.upstream_rq_pending_overflow"));
    assertEquals(2, live.requests() - before);
    assertEquals(2, dp.stat("cluster.pending-limited.upstream_rq_total"), "the overflowing request had no stream");
    await("the gauges to settle", () -> dp.stat("cluster.pending-limited.upstream_rq_active") == 0
        && dp.stat("cluster.pending-limited.upstream_rq_pending_active") == 0);
    assertEquals(200, get(dp.uri("main", "/pending-limited?n=4")).statusCode(),
        "the stream the pool gave the overflowed request later went back unsent, the connection with it");
  }

  @Test
  void requestLimitOverflowsWithoutQueueing() throws Exception {
    // Envoy checks max_requests when the pool gives the request a stream (attachStreamToClient),
    // here once a second connection is up, and counts the overflow in upstream_rq_pending_overflow.
    int before = live.requests();
    var first = getAsync("/rq-limited?delay=800&n=1");
    await("first request reached the upstream", () -> live.requests() == before + 1);
    long start = System.nanoTime();
    HttpResponse<String> second = get(dp.uri("main", "/rq-limited?n=2"));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertOverflow(second);
    assertTrue(ms < 500, "overflow answered after " + ms + " ms");
    assertEquals(200, first.get(20, TimeUnit.SECONDS).statusCode());
    assertEquals(1, dp.stat("cluster.rq-limited.upstream_rq_pending_overflow"));
    assertEquals(1, dp.stat("cluster.rq-limited.upstream_rq_total"));
    assertEquals(1, live.requests() - before, "the overflowing request never reached the upstream");
  }

  @Test
  void upstreamClosingTheConnectionGives503WithFlagUc() throws Exception {
    HttpResponse<String> r = get(dp.uri("main", "/closed?close=1"));
    assertEquals(503, r.statusCode());
    assertTrue(r.body().contains("reset reason: connection termination"), r.body());
    assertTrue(AccessLogFile.line(log, "/closed?close=1 ").startsWith("/closed?close=1 503 UC live 1 "));
  }
}
