package dev.xdsdp.it.wasm;

import static dev.xdsdp.it.support.Http.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.Await;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import dev.xdsdp.it.support.TcpClient;
import dev.xdsdp.it.support.TcpEcho;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code envoy.access_loggers.wasm} with {@code access_logger.wasm}, on an HTTP connection manager
 * and on a TCP proxy: {@code proxy_on_log} on the logger's root context reads the finished
 * stream's headers and properties, and the module ships each line to a real collector with
 * {@code proxy_http_call}. The log's {@code filter} applies before the module is called.
 */
class WasmAccessLogIT {

  static EchoUpstream echoHttp;
  static TcpEcho echoTcp;
  static Vertx vertx;
  static HttpServer collector;
  static final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    echoHttp = EchoUpstream.start("echo");
    echoTcp = TcpEcho.start("");
    vertx = Vertx.vertx();
    collector = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      lines.add(req.method() + " " + req.path() + " " + body.toString());
      req.response().end("ok");
    }));
    collector.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Path dir = Files.createTempDirectory("wasm-log");
    dp = Dataplane.startBootstrap("wasm-access-log.yaml", Map.of("ECHO_HTTP", echoHttp.port(), "ECHO_TCP", echoTcp.port(),
        "COLLECTOR", collector.actualPort(), "MODULE", Modules.file(dir, Modules.ACCESS_LOGGER)));
  }

  @AfterAll
  static void stop() {
    dp.close();
    vertx.close();
    echoHttp.close();
    echoTcp.close();
  }

  static String next() throws InterruptedException {
    String line = lines.poll(10, TimeUnit.SECONDS);
    assertNotNull(line, "the collector received no line");
    return line;
  }

  @Test
  void httpAndTcpEntriesReachTheCollectorAndTheFilterApplies() throws Exception {
    lines.clear();
    HttpResponse<String> r = get(dp.uri("http", "/hello?x=1"), "x-test", "first");
    assertEquals(200, r.statusCode());
    assertEquals("POST /log kind=http method=GET path=/hello?x=1 status=200 test=first resp=echo cluster=echo_http"
        + " upstream=127.0.0.1:" + echoHttp.port() + " src=ip:port flags=0 tag=http", next());

    try (TcpClient c = new TcpClient(dp.port("tcp"))) {
      assertEquals("ping", c.roundTrip("ping", "ping"));
    }
    assertEquals("POST /log kind=tcp method=- path=- status=- test=- resp=- cluster=echo_tcp"
        + " upstream=127.0.0.1:" + echoTcp.port() + " src=ip:port flags=0 tag=tcp", next());

    // The error logger's status filter (>= 400) dropped the 200; the upstream's 404 passes it.
    assertNull(dp.sharedData("errors", "lines"));
    HttpResponse<String> failed = get(dp.uri("http", "/missing?status=404"), "x-test", "second");
    assertEquals(404, failed.statusCode());
    next(); // the unfiltered logger's line
    for (int i = 0; i < 100 && dp.sharedData("errors", "lines") == null; i++) {
      Thread.sleep(20);
    }
    assertEquals("1", dp.sharedData("errors", "lines"));
    assertTrue(dp.sharedData("errors", "last_line").startsWith("kind=http method=GET path=/missing?status=404 status=404"));
    assertEquals("1", dp.sharedData("errors", "write_refused"), "maps are read-only while logging");
  }
}
