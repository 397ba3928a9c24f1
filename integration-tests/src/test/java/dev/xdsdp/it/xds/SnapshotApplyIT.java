package dev.xdsdp.it.xds;

import static dev.xdsdp.it.support.Http.echo;
import static dev.xdsdp.it.support.Http.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.HttpFilter;
import dev.xdsdp.dataplane.server.ServerState;
import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import dev.xdsdp.it.support.Snapshots;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data plane applying control-plane snapshots (what the xDS client produces): listeners come,
 * change and go; route tables and endpoints swap under load without failing a request; ECDS configs
 * are released only after their last stream.
 */
class SnapshotApplyIT {

  /**
   * No {@code dynamic_resources}: the test plays the xDS client itself and hands snapshots to
   * {@code Server.applySnapshot}, so no real client may publish its own in between.
   */
  static final String DYNAMIC_BOOTSTRAP = """
      static_resources:
        clusters: []
      """;

  EchoUpstream a;
  EchoUpstream b;
  Dataplane dp;
  int port;

  @BeforeEach
  void start() throws Exception {
    a = EchoUpstream.start("a");
    b = EchoUpstream.start("b");
    dp = Dataplane.start(DYNAMIC_BOOTSTRAP, Map.of(), "--drain-time-s", "2");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
  }

  @AfterEach
  void stop() {
    dp.close();
    a.close();
    b.close();
  }

  String listener(String routeSpecifier, String filters) {
    return """
        name: dyn
        address: { socket_address: { address: 127.0.0.1, port_value: %d } }
        filter_chains:
        - filters:
          - name: envoy.filters.network.http_connection_manager
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
              stat_prefix: dyn
              %s
              http_filters:
              %s
              - { name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } }
        """.formatted(port, routeSpecifier, filters);
  }

  static String staticCluster(String name, int port) {
    return """
        name: %s
        connect_timeout: 1s
        load_assignment:
          cluster_name: %s
          endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } } }] }]
        """.formatted(name, name, port);
  }

  static String route(String cluster) {
    return """
        name: r1
        virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: / }, route: { cluster: %s } }] }]
        """.formatted(cluster);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  @Test
  void aSnapshotsListenerStartsServingIt() throws Exception {
    new Snapshots(dp.server())
        .cluster(staticCluster("ca", a.port()))
        .route(route("ca"))
        .listener(listener("rds: { route_config_name: r1, config_source: { ads: {} } }", ""))
        .apply();
    assertEquals(ServerState.LIVE, dp.server().state());
    assertEquals("a", echo(get(uri("/"))).getString("name"));
    assertEquals(1, dp.stat("listener_manager.workers_started"));
  }

  @Test
  void routeTableSwapsUnderLoadWithoutFailingARequest() throws Exception {
    Snapshots s = new Snapshots(dp.server())
        .cluster(staticCluster("ca", a.port()))
        .cluster(staticCluster("cb", b.port()))
        .route(route("ca"))
        .listener(listener("rds: { route_config_name: r1, config_source: { ads: {} } }", ""));
    s.apply();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger sawB = new AtomicInteger();
    List<CompletableFuture<Void>> clients = new java.util.ArrayList<>();
    for (int c = 0; c < 4; c++) {
      clients.add(CompletableFuture.runAsync(() -> {
        while (running.get()) {
          try {
            HttpResponse<String> r = get(uri("/load"));
            if (r.statusCode() != 200) {
              failures.incrementAndGet();
            } else if (echo(r).getString("name").equals("b")) {
              sawB.incrementAndGet();
            }
          } catch (Exception e) {
            failures.incrementAndGet();
          }
        }
      }));
    }
    Thread.sleep(300);
    for (int i = 0; i < 10; i++) {
      s.route(route(i % 2 == 0 ? "cb" : "ca")).apply();
      Thread.sleep(50);
    }
    s.route(route("cb")).apply();
    Thread.sleep(300);
    running.set(false);
    CompletableFuture.allOf(clients.toArray(new CompletableFuture[0])).get();
    assertEquals(0, failures.get());
    assertTrue(sawB.get() > 0);
    assertEquals("b", echo(get(uri("/after"))).getString("name"));
  }

  @Test
  void endpointChangesKeepSurvivingHosts() throws Exception {
    String eds = """
        name: edsc
        type: EDS
        connect_timeout: 1s
        eds_cluster_config: { eds_config: { ads: {} } }
        """;
    String one = """
        cluster_name: edsc
        endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } } }] }]
        """.formatted(a.port());
    String two = """
        cluster_name: edsc
        endpoints: [{ lb_endpoints: [
          { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } } },
          { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } } }] }]
        """.formatted(a.port(), b.port());
    Snapshots s = new Snapshots(dp.server()).cluster(eds).endpoints(one).route(route("edsc"))
        .listener(listener("rds: { route_config_name: r1, config_source: { ads: {} } }", ""));
    s.apply();
    assertEquals("a", echo(get(uri("/"))).getString("name"));
    Host hostA = dp.server().clusterManager().get("edsc").hostSet().hosts().get(0);
    s.endpoints(two).apply();
    List<Host> hosts = dp.server().clusterManager().get("edsc").hostSet().hosts();
    assertEquals(2, hosts.size());
    assertSame(hostA, hosts.get(0), "the surviving host keeps its state");
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 10; i++) {
      seen.add(echo(get(uri("/"))).getString("name"));
    }
    assertEquals(java.util.Set.of("a", "b"), seen);
  }

  @Test
  void removedListenerFinishesInFlightRequestsThenStopsAccepting() throws Exception {
    Snapshots s = new Snapshots(dp.server()).cluster(staticCluster("ca", a.port())).route(route("ca"))
        .listener(listener("rds: { route_config_name: r1, config_source: { ads: {} } }", ""));
    s.apply();
    CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
      try {
        return get(uri("/slow?delay=800"));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Thread.sleep(300);
    s.removeListener("dyn").apply();
    assertEquals(200, inFlight.get().statusCode(), "the request in flight completes during the drain");
    boolean refused = false;
    try {
      get(uri("/new"));
    } catch (java.io.IOException e) {
      refused = true;
    }
    assertTrue(refused, "a removed listener does not accept new connections");
    assertEquals(1, dp.stat("listener_manager.listener_removed"));
  }

  @Test
  void ecdsConfigReplacedIsReleasedAfterItsLastStream() throws Exception {
    AtomicInteger released = new AtomicInteger();
    FilterFactory v1 = counting("v1", released);
    FilterFactory v2 = counting("v2", released);
    String ecdsFilter = "- { name: tagger, config_discovery: { config_source: { ads: {} }, type_urls: "
        + "[type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation] } }";
    Snapshots s = new Snapshots(dp.server()).cluster(staticCluster("ca", a.port())).route(route("ca"))
        .listener(listener("rds: { route_config_name: r1, config_source: { ads: {} } }", ecdsFilter))
        .extension("tagger", "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation", v1);
    s.apply();
    assertEquals("v1", dev.xdsdp.it.support.Http.upstreamHeader(get(uri("/")), "x-version"));
    CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
      try {
        return get(uri("/slow?delay=600"));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Thread.sleep(200);
    s.extension("tagger", "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation", v2).apply();
    assertEquals("v2", dev.xdsdp.it.support.Http.upstreamHeader(get(uri("/")), "x-version"));
    assertEquals(0, released.get(), "v1 still has a stream in flight");
    assertEquals("v1", dev.xdsdp.it.support.Http.upstreamHeader(slow.get(), "x-version"));
    for (int i = 0; i < 50 && released.get() == 0; i++) {
      Thread.sleep(20);
    }
    assertEquals(1, released.get(), "v1 released once its last stream ended");
    assertFalse(dp.server().extensionConfigHandles().get("tagger").factory() == v1);
  }

  @Test
  void ecdsFilterWithoutConfigAnswers500WithNfcf() throws Exception {
    String ecdsFilter = "- { name: missing, config_discovery: { config_source: { ads: {} }, type_urls: "
        + "[type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation] } }";
    new Snapshots(dp.server()).cluster(staticCluster("ca", a.port())).route(route("ca"))
        .listener(listener("rds: { route_config_name: r1, config_source: { ads: {} } }", ecdsFilter)).apply();
    HttpResponse<String> r = get(uri("/"));
    assertEquals(500, r.statusCode());
    assertEquals(0, a.requests());
  }

  static FilterFactory counting(String version, AtomicInteger released) {
    return new FilterFactory() {
      @Override
      public HttpFilter create() {
        return new HttpFilter() {
          @Override
          public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
            headers.set("x-version", version);
            return FilterHeadersStatus.CONTINUE;
          }
        };
      }

      @Override
      public void release() {
        released.incrementAndGet();
      }
    };
  }
}
