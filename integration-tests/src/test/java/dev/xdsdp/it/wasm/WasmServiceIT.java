package dev.xdsdp.it.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.dataplane.filters.wasm.WasmServices;
import dev.xdsdp.dataplane.server.ServerException;
import dev.xdsdp.it.support.Await;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import dev.xdsdp.wasm.EventLoop;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wasm services ({@code envoy.bootstrap.wasm}) with {@code shared_queue.wasm}, {@code --concurrency 2}:
 * HTTP filters on both worker loops enqueue each request's path to a queue a singleton service
 * registered; the service, on its own thread, dequeues and aggregates in {@code proxy_on_queue_ready};
 * the filters read the totals back into response headers. A per-worker service ticks on every
 * loop. And what Envoy accepts but is rarely meant gets a clear warning; a service that cannot
 * start stops the server.
 */
class WasmServiceIT {

  static EchoUpstream echo;
  static Dataplane dp;
  static Path dir;
  static String yaml;

  @BeforeAll
  static void start() throws Exception {
    echo = EchoUpstream.start("echo");
    dir = Files.createTempDirectory("wasm-svc");
    yaml = Files.readString(Path.of("src/test/resources/bootstrap/wasm-service.yaml"));
    Path module = Modules.file(dir, Modules.SHARED_QUEUE);
    dp = Dataplane.start(yaml, Map.of("ECHO", echo.port(), "SERVICE_MODULE", module, "FILTER_MODULE", module));
  }

  @AfterAll
  static void stop() {
    dp.close();
    echo.close();
  }

  /** One request on its own connection (so requests spread over the worker loops); the response head. */
  static String request(int port, String path) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      return all.substring(0, Math.max(0, all.indexOf("\r\n\r\n")));
    }
  }

  static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int c = line.indexOf(':');
      if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase(name)) {
        return line.substring(c + 1).trim();
      }
    }
    return null;
  }

  static Set<String> loopIds(WasmServices.Service s) {
    Set<String> ids = new TreeSet<>();
    for (EventLoop l : s.plugin().loops()) {
      ids.add(l.id());
    }
    return ids;
  }

  @Test
  void filtersOnEveryLoopFeedASingletonServiceThatAggregates() throws Exception {
    int port = dp.port("main");
    ExecutorService clients = Executors.newFixedThreadPool(8);
    List<CompletableFuture<String>> heads = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String path = i % 2 == 0 ? "/a" : "/b";
      heads.add(CompletableFuture.supplyAsync(() -> {
        try {
          return request(port, path);
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }, clients));
    }
    for (CompletableFuture<String> h : heads) {
      String head = h.get();
      assertTrue(head.startsWith("HTTP/1.1 200"), head);
      assertEquals("0", header(head, "x-enqueue"), "the producer resolved and filled the service's queue");
    }
    clients.shutdown();
    Await.until(() -> "40".equals(dp.sharedData("queue_demo", "total")), "the service to aggregate 40 requests");
    assertEquals("20", dp.sharedData("queue_demo", "count:/a"));
    assertEquals("20", dp.sharedData("queue_demo", "count:/b"));
    assertTrue(Long.parseLong(dp.sharedData("queue_demo", "batches")) >= 1);
    // Through the sockets: a filter reads the service's total back.
    long total = Long.parseLong(header(request(port, "/c"), "x-aggregated-total"));
    assertTrue(total >= 40, "x-aggregated-total " + total);

    List<WasmServices.Service> services = dp.server().wasmServices().services();
    assertEquals(2, services.size());
    WasmServices.Service aggregator = services.get(0);
    assertTrue(aggregator.singleton());
    assertEquals(Set.of("main_thread"), loopIds(aggregator), "a singleton runs off the worker loops");
    assertEquals(Set.of("worker_0", "worker_1"), loopIds(services.get(1)), "a per-worker service runs on each");
    assertEquals("1", dp.sharedData("queue_demo", "service_starts"));
    assertEquals("2", dp.sharedData("per_worker", "service_starts"));
  }

  @Test
  void servicesTick() throws Exception {
    Await.until(() -> dp.sharedData("queue_demo", "ticks") != null && Long.parseLong(dp.sharedData("queue_demo", "ticks")) >= 3,
        "the singleton's ticks");
    Await.until(() -> dp.sharedData("per_worker", "ticks") != null && Long.parseLong(dp.sharedData("per_worker", "ticks")) >= 6,
        "the per-worker service's ticks");
  }

  /** Collects the records of the "wasm" logger while open. */
  static final class Captured extends Handler implements AutoCloseable {
    final List<String> messages = new CopyOnWriteArrayList<>();
    final Logger logger = Logger.getLogger("wasm");

    Captured() {
      logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
      messages.add(r.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
    }

    boolean has(String fragment) {
      return messages.stream().anyMatch(m -> m != null && m.contains(fragment));
    }
  }

  @Test
  void whatEnvoyAcceptsButIsRarelyMeantIsWarnedAbout() throws Exception {
    try (Captured log = new Captured();
        Dataplane other = Dataplane.start(yaml, Map.of("ECHO", echo.port(),
            "SERVICE_MODULE", Modules.file(dir, Modules.SHARED_QUEUE_NOREADY),
            "FILTER_MODULE", Modules.file(dir, Modules.SHARED_QUEUE)))) {
      assertTrue(log.has("registered shared queue 'requests' (vm_id 'queue_demo') but does not export"
          + " proxy_on_queue_ready"), log.messages.toString());
      // Services start after the listeners' filters are configured: the aggregator is the newcomer.
      assertTrue(log.has("wasm plugin aggregator reuses vm_id 'queue_demo' of plugin producer with different code"),
          log.messages.toString());
      String head = request(other.port("main"), "/x");
      assertEquals("0", header(head, "x-enqueue"), "the queue exists");
      Thread.sleep(200);
      assertEquals(null, other.sharedData("queue_demo", "total"), "but nothing announces the item to the service");
      assertEquals(1, other.server().wasmHost().runtime().sharedQueues()
          .size(other.server().wasmHost().runtime().sharedQueues().resolve("queue_demo", "requests")));
    }
  }

  /** {@code --mode validate} reports the same two things as warnings; the config stays valid. */
  @Test
  void validateModeWarnsAboutTheSameAndStillAccepts() throws Exception {
    Path file = dir.resolve("warnings.yaml");
    Files.writeString(file, Dataplane.substitute(yaml, Map.of("ECHO", echo.port(),
        "SERVICE_MODULE", Modules.file(dir, Modules.SHARED_QUEUE_NOREADY),
        "FILTER_MODULE", Modules.file(dir, Modules.SHARED_QUEUE))));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int exit;
    try (java.io.PrintStream o = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        java.io.PrintStream e = new java.io.PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = dev.xdsdp.dataplane.Main.run(
          new String[] {"--mode", "validate", "--log-level", "warning", "-c", file.toString()}, o, e);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, printed + err);
    assertTrue(printed.contains("warning: bootstrap_extensions[0]: wasm plugin aggregator: the module can register"
        + " shared queues (it imports proxy_register_shared_queue) but does not export proxy_on_queue_ready"), printed);
    assertTrue(printed.contains("filters[0].http_filters[0]: wasm plugin producer reuses vm_id 'queue_demo' of plugin"
        + " aggregator (bootstrap_extensions[0]) with different code"), printed);
    assertTrue(printed.contains("configuration '" + file + "' OK"), printed);
  }

  @Test
  void aServiceThatCannotStartStopsTheServer() {
    ServerException e = assertThrows(ServerException.class, () -> Dataplane.start(yaml, Map.of("ECHO", echo.port(),
        "SERVICE_MODULE", dir.resolve("missing.wasm"), "FILTER_MODULE", Modules.file(dir, Modules.SHARED_QUEUE))));
    assertEquals("bootstrap_extensions[0]: Unable to create Wasm plugin aggregator: config.vm_config.code.local.filename:"
        + " cannot read '" + dir.resolve("missing.wasm") + "': no such file", e.getMessage());
  }
}
