package dev.xdsdp.it.wasm;

import static dev.xdsdp.it.support.Http.upstreamHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xdsdp.dataplane.filters.wasm.WasmFilterFactory;
import dev.xdsdp.dataplane.filters.wasm.WasmHost;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import dev.xdsdp.it.support.Snapshots;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Wasm filter inline in an LDS listener, changed by new listener versions (in-place updates):
 * new connections use the new plugin at once, and each old version's plugin ends its root
 * contexts once the connections of its generation are gone (the VMs, shared by every version of
 * the same vm_id and code as in Envoy, stay).
 */
class WasmLdsReloadIT {

  static final String WASM_TYPE = WasmHotReloadIT.WASM_TYPE;

  static EchoUpstream echo;
  static Dataplane dp;
  static Path module;

  @BeforeAll
  static void start() throws Exception {
    echo = EchoUpstream.start("echo");
    module = Modules.file(Files.createTempDirectory("wasm-lds-it"), Modules.HTTP_FILTER);
    dp = Dataplane.start(WasmHotReloadIT.DYNAMIC_BOOTSTRAP, Map.of(), "--drain-time-s", "1");
  }

  @AfterAll
  static void stop() {
    dp.close();
    echo.close();
  }

  static WasmHost host() {
    return ((WasmFilterFactory) dp.server().registry().httpFilterByName(WasmFilterFactory.NAME).orElseThrow()).host();
  }

  static String inlineListener(int listenerPort, int version) {
    return """
        name: inline
        address: { socket_address: { address: 127.0.0.1, port_value: %d } }
        filter_chains:
        - filters:
          - name: envoy.filters.network.http_connection_manager
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
              stat_prefix: inline
              rds: { route_config_name: routes, config_source: { ads: {} } }
              http_filters:
              - name: envoy.filters.http.wasm
                typed_config:
                  "@type": %s
                  config:
                    name: inline
                    vm_config: { vm_id: vm_inline, code: { local: { filename: "%s" } } }
                    configuration: { "@type": type.googleapis.com/google.protobuf.StringValue, value: "version=%d" }
              - { name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } }
        """.formatted(listenerPort, WASM_TYPE, module, version);
  }

  static long plugins(String name) {
    return host().livePlugins().stream().filter(p -> p.config().name().equals(name)).count();
  }

  @Test
  void inlineWasmConfigChangesInLdsApplyToNewConnectionsAndDrainTheOld() throws Exception {
    int inlinePort;
    try (ServerSocket ss = new ServerSocket(0)) {
      inlinePort = ss.getLocalPort();
    }
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
        .listener(inlineListener(inlinePort, 1));
    s.apply();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI uri = URI.create("http://127.0.0.1:" + inlinePort + "/inline");
    for (int v = 1; v <= 5; v++) {
      if (v > 1) {
        s.listener(inlineListener(inlinePort, v)).apply(); // same address: an in-place update
      }
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertEquals(Integer.toString(v), upstreamHeader(r, "x-wasm-version"), "new connections use the new config");
      // The JDK client keeps its connection: a new client so the next version's chain is used.
      http.close();
      http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }
    http.close();
    // Each old generation is released once its connections are gone; its plugin then drains.
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (plugins("inline") != 1 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(1, plugins("inline"), "only the last inline version's plugin is alive");
    assertEquals(1, host().livePlugins().size());
    while (host().liveVms() != 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(2, host().liveVms(), "one VM per worker loop");
    // Only the plugin configuration changed, so as in Envoy every version runs in the same VMs
    // (vm_id and code unchanged): the first version's two, plus one canary start per later version.
    assertEquals(6, dp.stat("wasm.envoy.wasm.runtime.v8.created"), "two VMs, and four canaries");
  }

}
