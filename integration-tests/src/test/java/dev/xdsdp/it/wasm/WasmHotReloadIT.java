package dev.xdsdp.it.wasm;

import static dev.xdsdp.it.support.Http.upstreamHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.dataplane.filters.wasm.WasmFilterFactory;
import dev.xdsdp.dataplane.filters.wasm.WasmHost;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import dev.xdsdp.it.support.Snapshots;
import dev.xdsdp.wasm.vm.graal.GraalEngineCache;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ECDS rollouts under load: 20 new versions of a Wasm filter config pushed through
 * {@code Server.applySnapshot} while clients keep sending on several connections. New streams go to
 * the new version's root context as soon as it is applied (the versions share the VMs, as in
 * Envoy: same vm_id and code), streams in flight finish with the version they started with, no
 * request fails, and once the old versions drain only the last version's plugin is alive.
 */
class WasmHotReloadIT {

  /**
   * No {@code dynamic_resources}: the test plays the xDS client itself and hands snapshots to
   * {@code Server.applySnapshot}, so no real client may publish its own in between.
   */
  static final String DYNAMIC_BOOTSTRAP = """
      static_resources:
        clusters: []
      """;

  static final String WASM_TYPE = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";
  static final int VERSIONS = 21; // the first, then 20 pushes

  static EchoUpstream echo;
  static Dataplane dp;
  static Path module;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    echo = EchoUpstream.start("echo");
    module = Modules.file(Files.createTempDirectory("wasm-reload-it"), Modules.HTTP_FILTER);
    dp = Dataplane.start(DYNAMIC_BOOTSTRAP, Map.of(), "--drain-time-s", "2");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
  }

  @AfterAll
  static void stop() {
    dp.close();
    echo.close();
  }

  static String listener() {
    return """
        name: reloading
        address: { socket_address: { address: 127.0.0.1, port_value: %d } }
        filter_chains:
        - filters:
          - name: envoy.filters.network.http_connection_manager
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
              stat_prefix: reloading
              rds: { route_config_name: routes, config_source: { ads: {} } }
              http_filters:
              - { name: versioned, config_discovery: { config_source: { ads: {} }, type_urls: [%s] } }
              - { name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } }
        """.formatted(port, WASM_TYPE);
  }

  static String extension(int version) {
    return """
        name: versioned
        typed_config:
          "@type": %s
          config:
            name: versioned
            vm_config: { vm_id: vm_versioned, code: { local: { filename: "%s" } } }
            configuration: { "@type": type.googleapis.com/google.protobuf.StringValue, value: "version=%d" }
        """.formatted(WASM_TYPE, module, version);
  }

  static WasmHost host() {
    return ((WasmFilterFactory) dp.server().registry().httpFilterByName(WasmFilterFactory.NAME).orElseThrow()).host();
  }

  @Test
  void twentyPushesUnderLoadFailNothingAndLeaveOneVersionsVms() throws Exception {
    Snapshots s = new Snapshots(dp.server())
        .cluster("""
            name: echo
            connect_timeout: 1s
            load_assignment:
              cluster_name: echo
              endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } } }] }]
            """.formatted(echo.port()))
        .route("""
            name: routes
            virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: / }, route: { cluster: echo } }] }]
            """)
        .listener(listener())
        .extension(extension(1));
    s.apply();

    AtomicBoolean running = new AtomicBoolean(true);
    List<VersionCheckingClient> clients = VersionCheckingClient.mix(port);
    List<CompletableFuture<Void>> load = new ArrayList<>();
    for (VersionCheckingClient c : clients) {
      load.add(CompletableFuture.runAsync(() -> c.run(running)));
    }
    Thread.sleep(300);
    for (int v = 2; v <= VERSIONS; v++) {
      s.extension(extension(v)).apply();
      Thread.sleep(120);
    }
    Thread.sleep(400);
    running.set(false);
    CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get();

    int total = 0;
    for (VersionCheckingClient c : clients) {
      assertEquals(List.of(), c.problems, "every response correct for the version that served it");
      assertEquals(VERSIONS, c.lastVersion, "the last version serves in the end");
      total += c.responses;
    }
    Set<Integer> seen = new java.util.TreeSet<>();
    clients.forEach(c -> seen.addAll(c.versions));
    assertTrue(total > 100, "steady load: " + total + " responses");
    assertTrue(seen.size() >= 10, "versions served: " + seen);

    // The old versions drain: only the last version's plugin (in one VM per worker loop) stays.
    WasmHost host = host();
    long deadline = System.nanoTime() + 15_000_000_000L;
    while ((host.liveVms() != 2 || host.livePlugins().size() != 1) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(1, host.livePlugins().size());
    assertEquals(2, host.liveVms());
    assertEquals(2, dp.stat("wasm.envoy.wasm.runtime.v8.active"));
    // Only the plugin configuration changes between versions, so as in Envoy they all run in the
    // same two VMs (vm_id and code unchanged); each later version adds one canary start.
    assertEquals(2L + (VERSIONS - 1), dp.stat("wasm.envoy.wasm.runtime.v8.created"));
    // Same code and vm_id: compiled once, shared by every version.
    assertEquals(1, ((GraalEngineCache) host.runtime().engine()).engineCount());
  }
}
