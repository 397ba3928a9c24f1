package dev.xdsdp.it.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP/2 cleartext through the proxy, both directions, with streaming bodies and trailers. */
class Http2IT {

  static EchoUpstream echo;
  static Dataplane dp;
  static Vertx vertx;
  static HttpClientAgent h2;
  /**
   * An h2c upstream that takes 10 streams per connection and answers each after 500 ms; a path
   * ending in /hold is answered after 1.5 s and tells its connection to go away at once.
   */
  static io.vertx.core.http.HttpServer limited;

  @BeforeAll
  static void start() throws Exception {
    echo = EchoUpstream.start("echo");
    vertx = Vertx.vertx();
    limited = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setHttp2ClearTextEnabled(true)
            .setInitialSettings(new io.vertx.core.http.Http2Settings().setMaxConcurrentStreams(10)))
        .requestHandler(req -> {
          boolean hold = req.path().endsWith("/hold");
          if (hold) {
            req.connection().goAway(0);
          }
          vertx.setTimer(hold ? 1500 : 500, t -> req.response().end("ok"));
        })
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    dp = Dataplane.startBootstrap("http2.yaml", Map.of("ECHO", echo.port(), "GRPC", 1, "LIMITED", limited.actualPort()));
    h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  @AfterAll
  static void stop() {
    vertx.close();
    dp.close();
    echo.close();
  }

  record Response(int status, HttpVersion version, String body, Map<String, String> trailers, List<Long> chunkTimes) {}

  static Response priorKnowledge(HttpMethod method, String path, String body) throws Exception {
    return h2.request(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(dp.port("main")).setURI(path))
        .compose(req -> (body == null ? req.send() : req.send(Buffer.buffer(body))).compose(resp -> {
          List<Long> times = new ArrayList<>();
          Buffer all = Buffer.buffer();
          resp.handler(b -> {
            times.add(System.nanoTime());
            all.appendBuffer(b);
          });
          return resp.end().map(v -> {
            Map<String, String> trailers = new java.util.HashMap<>();
            resp.trailers().forEach(e -> trailers.put(e.getKey(), e.getValue()));
            return new Response(resp.statusCode(), resp.version(), all.toString(), trailers, times);
          });
        }))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Sends {@code streams} GETs to prefix + i at once over one HTTP/2 connection; their statuses. */
  static List<Integer> burst(String prefix, int streams) throws Exception {
    List<io.vertx.core.Future<Integer>> statuses = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      statuses.add(h2.request(new RequestOptions().setHost("127.0.0.1").setPort(dp.port("main")).setURI(prefix + i))
          .compose(req -> req.send().compose(resp -> resp.end().map(v -> resp.statusCode()))));
    }
    io.vertx.core.Future.all(statuses).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    return statuses.stream().map(io.vertx.core.Future::result).toList();
  }

  @Test
  void aBurstOfStreamsToAColdHttp2HostOpensOneConnection() throws Exception {
    // As Envoy's HTTP/2 pool: the streams that arrive while the first connection to a host is
    // being made wait for it and share it, instead of each opening a connection of its own.
    int streams = 40;
    assertEquals(java.util.Collections.nCopies(streams, 200), burst("/burst/", streams));
    assertEquals(streams, dp.stat("cluster.echo-h2-burst.upstream_rq_total"));
    assertEquals(1, dp.stat("cluster.echo-h2-burst.upstream_cx_total"), "one upstream connection for the whole burst");
    assertEquals(1, dp.stat("cluster.echo-h2-burst.upstream_cx_http2_total"));
  }

  @Test
  void aBurstLargerThanThePeersStreamLimitOpensOnlyTheConnectionsItNeeds() throws Exception {
    // 25 streams held 500 ms each by a peer that allows 10 per connection: Envoy opens 3
    // connections (10 + 10 + 5). Without sizing the release to the peer's limit, the 15 streams
    // that do not fit on the first connection would open 15 more.
    int streams = 25;
    assertEquals(java.util.Collections.nCopies(streams, 200), burst("/limited/", streams));
    long connections = dp.stat("cluster.h2-limited.upstream_cx_total");
    assertTrue(connections >= 3 && connections <= 4, "connections for 25 streams at 10 per connection: " + connections);
  }

  @Test
  void aBurstBeyondAWarmConnectionsRoomOpensOnlyTheConnectionsItNeeds() throws Exception {
    // One connection is up and idle (room for 10); 25 streams then need two more, as Envoy's pool
    // counts them, where one connection per stream beyond the first ten would make 16.
    assertEquals(List.of(200), burst("/limited-warm/", 1));
    assertEquals(1, dp.stat("cluster.h2-limited-warm.upstream_cx_total"));
    assertEquals(java.util.Collections.nCopies(25, 200), burst("/limited-warm/", 25));
    long connections = dp.stat("cluster.h2-limited-warm.upstream_cx_total");
    assertTrue(connections >= 3 && connections <= 4, "connections for 25 streams at 10 per connection: " + connections);
  }

  @Test
  void aConnectionToldToGoAwayTakesNoMoreStreamsAndItsRoomIsNotCounted() throws Exception {
    // The first connection carries one stream still running when the peer sends GOAWAY. A burst
    // of 25 then needs three new connections (10 per connection); counting the old connection's
    // room, the gate would send 9 streams to a pool with no usable connection for them, which
    // opens one connection per stream.
    var held = h2.request(new RequestOptions().setHost("127.0.0.1").setPort(dp.port("main")).setURI("/goaway/hold"))
        .compose(req -> req.send().compose(resp -> resp.end().map(v -> resp.statusCode())));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (dp.stat("cluster.h2-goaway.upstream_cx_total") < 1 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(300); // the GOAWAY reaches the proxy
    assertEquals(java.util.Collections.nCopies(25, 200), burst("/goaway/", 25));
    long connections = dp.stat("cluster.h2-goaway.upstream_cx_total");
    assertTrue(connections >= 4 && connections <= 5, "the one gone away, then 3 for 25 streams: " + connections);
    assertEquals(200, held.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS),
        "the stream that was running when the GOAWAY came finishes");
  }

  @Test
  void aBurstWaitingForAConnectThatFailsFailsWithIt() throws Exception {
    int streams = 20;
    assertEquals(java.util.Collections.nCopies(streams, 503), burst("/refused/", streams), "all fail with the connect");
    // Each waited for a connection and was ejected from the queue when it failed; none had a stream.
    assertEquals(streams, dp.stat("cluster.h2-refused.upstream_rq_pending_total"));
    assertEquals(streams, dp.stat("cluster.h2-refused.upstream_rq_pending_failure_eject"));
    assertEquals(0, dp.stat("cluster.h2-refused.upstream_rq_total"));
    // Counted per connect attempt, as Envoy does: the streams that waited for one made none.
    long attempts = dp.stat("cluster.h2-refused.upstream_cx_connect_fail");
    assertTrue(attempts >= 1 && attempts < streams, "connect failures counted per attempt: " + attempts);
  }

  @Test
  void priorKnowledgeDownstreamToHttp1Upstream() throws Exception {
    Response r = priorKnowledge(HttpMethod.GET, "/hello", null);
    assertEquals(200, r.status());
    assertEquals(HttpVersion.HTTP_2, r.version());
    JsonObject seen = new JsonObject(r.body());
    assertEquals("HTTP_1_1", seen.getString("version"));
    assertEquals("/hello", seen.getString("path"));
    assertTrue(dp.stat("http.h2.downstream_rq_http2_total") >= 1);
  }

  @Test
  void upgradeFromHttp1ToH2c() throws Exception {
    HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> first = jdk.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.port("main") + "/up")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> second = jdk.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.port("main") + "/up2")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, first.statusCode());
    assertEquals("/up", new JsonObject(first.body()).getString("path"));
    assertEquals(HttpClient.Version.HTTP_2, second.version());
    assertEquals("/up2", new JsonObject(second.body()).getString("path"));
  }

  @Test
  void http2UpstreamWithARequestBody() throws Exception {
    String body = "x".repeat(200_000);
    Response r = priorKnowledge(HttpMethod.POST, "/h2/upload", body);
    JsonObject seen = new JsonObject(r.body());
    assertEquals("HTTP_2", seen.getString("version"));
    assertEquals(body.length(), seen.getString("body").length());
  }

  @Test
  void responsesStreamChunkByChunk() throws Exception {
    Response r = priorKnowledge(HttpMethod.GET, "/h2/stream?chunks=5", null);
    assertEquals("chunk0\nchunk1\nchunk2\nchunk3\nchunk4\n", r.body());
    // The chunks are 50 ms apart upstream: the proxy must not buffer the whole response.
    long spread = (r.chunkTimes().get(r.chunkTimes().size() - 1) - r.chunkTimes().get(0)) / 1_000_000;
    assertTrue(r.chunkTimes().size() >= 3 && spread >= 100, "chunks=" + r.chunkTimes().size() + " spread=" + spread);
  }

  @Test
  void trailersPassThrough() throws Exception {
    Response r = priorKnowledge(HttpMethod.GET, "/h2/trail?trailer=x-checksum:abc123", null);
    assertEquals(200, r.status());
    assertEquals("abc123", r.trailers().get("x-checksum"));
  }
}
