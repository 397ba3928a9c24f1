package dev.xdsdp.it.wasm;

import static dev.xdsdp.xds.testing.XdsTestResources.bootstrap;
import static dev.xdsdp.xds.testing.XdsTestResources.route;
import static dev.xdsdp.xds.testing.XdsTestResources.staticCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.dataplane.filters.wasm.WasmFilterFactory;
import dev.xdsdp.dataplane.filters.wasm.WasmHost;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import dev.xdsdp.it.support.Http;
import dev.xdsdp.xds.bootstrap.EnvoyJson;
import dev.xdsdp.xds.testing.TestControlPlane;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rollout, end to end: java-control-plane pushes 20 new versions of a Wasm filter over
 * ECDS while clients keep sending on several connections. Every response is correct for the
 * version that served it, nothing fails, the module is compiled once, and afterwards only one
 * version's VMs (one per worker loop) are alive. A version whose module cannot be loaded is NACKed
 * and the last good version keeps serving.
 */
class WasmEcdsRolloutIT {

  static final String WASM_TYPE = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";
  static final String ECDS_TYPE = "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig";

  EchoUpstream echo;
  TestControlPlane cp;
  Dataplane dp;
  Path module;
  int port;

  @BeforeEach
  void start() throws Exception {
    echo = EchoUpstream.start("echo");
    cp = TestControlPlane.startTcp();
    module = Modules.file(Files.createTempDirectory("wasm-ecds-it"), Modules.HTTP_FILTER);
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
  }

  @AfterEach
  void stop() {
    if (dp != null) {
      dp.close();
    }
    cp.close();
    echo.close();
  }

  Listener listener() throws Exception {
    Listener.Builder b = Listener.newBuilder();
    EnvoyJson.parse("""
        name: rollout
        address: { socket_address: { address: 127.0.0.1, port_value: %d } }
        filter_chains:
        - filters:
          - name: envoy.filters.network.http_connection_manager
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
              stat_prefix: rollout
              rds: { route_config_name: routes, config_source: { ads: {}, initial_fetch_timeout: 0s } }
              http_filters:
              - { name: versioned, config_discovery: { config_source: { ads: {}, initial_fetch_timeout: 0s }, type_urls: [%s] } }
              - { name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } }
        """.formatted(port, WASM_TYPE), b, "listener.yaml");
    return b.build();
  }

  TypedExtensionConfig extension(int version) throws Exception {
    return extension(module, "version=" + version);
  }

  /** The ECDS resource {@code versioned}: the module at {@code code} with plugin configuration {@code configuration}. */
  TypedExtensionConfig extension(Path code, String configuration) throws Exception {
    TypedExtensionConfig.Builder b = TypedExtensionConfig.newBuilder();
    EnvoyJson.parse("""
        name: versioned
        typed_config:
          "@type": %s
          config:
            name: versioned
            vm_config: { vm_id: vm_versioned, runtime: envoy.wasm.runtime.v8, code: { local: { filename: "%s" } } }
            configuration: { "@type": type.googleapis.com/google.protobuf.StringValue, value: "%s" }
        """.formatted(WASM_TYPE, code, configuration), b, "extension.yaml");
    return b.build();
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void twentyEcdsPushesUnderLoad(boolean delta) throws Exception {
    cp.setSnapshot("1", List.of(staticCluster("echo", echo.port())), List.of(), List.of(listener()),
        List.of(route("routes", "echo")));
    cp.setExtensionConfigs("1", List.of(extension(1)));
    dp = Dataplane.start(bootstrap(cp, delta, 0));
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(60)));

    AtomicBoolean running = new AtomicBoolean(true);
    List<VersionCheckingClient> clients = VersionCheckingClient.mix(port);
    List<CompletableFuture<Void>> load = new ArrayList<>();
    for (VersionCheckingClient c : clients) {
      load.add(CompletableFuture.runAsync(() -> c.run(running)));
    }
    Thread.sleep(300);
    int last = 21;
    for (int v = 2; v <= last; v++) {
      cp.setExtensionConfigs(String.valueOf(v), List.of(extension(v)));
      Thread.sleep(150);
    }
    // Wait until every client has seen the last version.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (clients.stream().anyMatch(c -> c.lastVersion != last) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    running.set(false);
    CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get();
    for (VersionCheckingClient c : clients) {
      assertEquals(List.of(), c.problems, "every response correct for the version that served it");
      assertEquals(last, c.lastVersion);
    }
    assertTrue(clients.stream().mapToInt(c -> c.responses).sum() > 100);

    WasmHost host = ((WasmFilterFactory) dp.server().registry().httpFilterByName(WasmFilterFactory.NAME).orElseThrow()).host();
    long drained = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while ((host.liveVms() != 2 || host.livePlugins().size() != 1) && System.nanoTime() < drained) {
      Thread.sleep(20);
    }
    assertEquals(1, host.livePlugins().size(), "one version's plugin left: "
        + host.livePlugins().stream().map(p -> new String(p.config().pluginConfiguration())).toList());
    assertEquals(2, host.liveVms(), "one VM per worker loop (--concurrency 2)");
    assertTrue(dp.stat("extension_config_discovery.http_filter.versioned.config_reload") >= last);
  }

  /**
   * The static-bootstrap scenarios with the filter config served over ECDS (ADS): the header-adding
   * filter and the filter's own 403 reply; then a push that switches the plugin configuration
   * (default mode local, a new version) changes what new streams get, while a stream that started
   * before the push finishes with the configuration it started with.
   */
  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void ecdsDeliveredConfigAddsHeadersAndRepliesLocallyAndAPushSwitchesNewStreams(boolean delta) throws Exception {
    cp.setSnapshot("1", List.of(staticCluster("echo", echo.port())), List.of(), List.of(listener()),
        List.of(route("routes", "echo")));
    cp.setExtensionConfigs("1", List.of(extension(module, "version=1")));
    dp = Dataplane.start(bootstrap(cp, delta, 0));
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(60)));

    HttpResponse<String> headers = Http.get(uri("/h"));
    assertEquals(200, headers.statusCode(), headers.body());
    assertEquals("1", Http.upstreamHeader(headers, "x-wasm-version"));
    assertEquals("versioned", Http.upstreamHeader(headers, "x-wasm-plugin"));
    assertEquals("1", headers.headers().firstValue("x-wasm-version").orElse(null));

    int upstreamBefore = echo.requests();
    HttpResponse<String> local = Http.get(uri("/l"), "x-test", "local");
    assertEquals(403, local.statusCode());
    assertEquals("denied by wasm\n", local.body());
    assertEquals("1", local.headers().firstValue("x-wasm-local").orElse(null));
    assertEquals(upstreamBefore, echo.requests(), "a local reply never reaches the upstream");

    // A stream under version 1 still waiting for its upstream while the push lands.
    CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
      try {
        return Http.get(uri("/slow?delay=1500"));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    long started = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (echo.requests() == upstreamBefore && System.nanoTime() < started) {
      Thread.sleep(5);
    }
    assertEquals(upstreamBefore + 1, echo.requests(), "the slow stream reached the upstream before the push");

    cp.setExtensionConfigs("2", List.of(extension(module, "version=2;mode=local")));
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    HttpResponse<String> r = Http.get(uri("/new"));
    while (r.statusCode() == 200 && System.nanoTime() < deadline) {
      Thread.sleep(20);
      r = Http.get(uri("/new"));
    }
    assertEquals(403, r.statusCode(), "new streams default to the local reply");
    assertEquals("denied by wasm\n", r.body());
    assertEquals("2", r.headers().firstValue("x-wasm-version").orElse(null));
    HttpResponse<String> explicit = Http.get(uri("/h2"), "x-test", "headers");
    assertEquals(200, explicit.statusCode());
    assertEquals("2", Http.upstreamHeader(explicit, "x-wasm-version"));

    HttpResponse<String> old = inFlight.get(10, TimeUnit.SECONDS);
    assertEquals(200, old.statusCode(), old.body());
    assertEquals("1", Http.upstreamHeader(old, "x-wasm-version"));
    assertEquals("1", old.headers().firstValue("x-wasm-version").orElse(null),
        "the stream's response went through the configuration it started with");
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** The error detail of the next ECDS NACK (a request with an error detail), SotW or delta. */
  String awaitEcdsNack(boolean delta) {
    Duration timeout = Duration.ofSeconds(20);
    if (delta) {
      return cp.callbacks().awaitDelta(r -> r.getTypeUrl().equals(ECDS_TYPE) && r.hasErrorDetail(), timeout)
          .getErrorDetail().getMessage();
    }
    return cp.callbacks().awaitSotw(r -> r.getTypeUrl().equals(ECDS_TYPE) && r.hasErrorDetail(), timeout)
        .getErrorDetail().getMessage();
  }

  static String servedVersion(int port) throws Exception {
    HttpResponse<String> r = Http.get(URI.create("http://127.0.0.1:" + port + "/"));
    assertEquals(200, r.statusCode(), r.body());
    return r.headers().firstValue("x-wasm-version").orElse(null);
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void aVersionThatFailsToLoadIsNackedAndTheLastGoodOneKeepsServing(boolean delta) throws Exception {
    cp.setSnapshot("1", List.of(staticCluster("echo", echo.port())), List.of(), List.of(listener()),
        List.of(route("routes", "echo")));
    cp.setExtensionConfigs("1", List.of(extension(1)));
    dp = Dataplane.start(bootstrap(cp, delta, 0));
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(60)));
    assertEquals("1", servedVersion(port));

    // proxy_on_configure returns false.
    cp.callbacks().clear();
    cp.setExtensionConfigs("2", List.of(extension(module, "version=2;fail=configure")));
    String detail = awaitEcdsNack(delta);
    assertTrue(detail.contains("versioned") && detail.contains("proxy_on_configure returned false"), detail);
    assertEquals("1", servedVersion(port), "the last good version keeps serving");

    // Bytes that are not Wasm.
    Path garbage = Files.writeString(module.resolveSibling("garbage.wasm"), "this is not a wasm module");
    cp.callbacks().clear();
    cp.setExtensionConfigs("3", List.of(extension(garbage, "version=3")));
    detail = awaitEcdsNack(delta);
    assertTrue(detail.startsWith("versioned: ") && detail.contains("not a Wasm module"), detail);
    assertEquals("1", servedVersion(port), "the last good version keeps serving");
    assertTrue(dp.stat("extension_config_discovery.http_filter.versioned.config_fail") >= 2);

    // A good version after the bad ones is taken.
    cp.setExtensionConfigs("4", List.of(extension(4)));
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String seen = "1";
    while (!"4".equals(seen) && System.nanoTime() < deadline) {
      seen = servedVersion(port);
      Thread.sleep(20);
    }
    assertEquals("4", seen);
  }
}
