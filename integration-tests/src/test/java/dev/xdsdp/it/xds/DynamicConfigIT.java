package dev.xdsdp.it.xds;

import static dev.xdsdp.it.support.Http.echo;
import static dev.xdsdp.it.support.Http.get;
import static dev.xdsdp.xds.testing.XdsTestResources.addHeader;
import static dev.xdsdp.xds.testing.XdsTestResources.bootstrap;
import static dev.xdsdp.xds.testing.XdsTestResources.discoveredFilter;
import static dev.xdsdp.xds.testing.XdsTestResources.edsCluster;
import static dev.xdsdp.xds.testing.XdsTestResources.endpoints;
import static dev.xdsdp.xds.testing.XdsTestResources.rdsListener;
import static dev.xdsdp.xds.testing.XdsTestResources.route;
import static dev.xdsdp.xds.testing.XdsTestResources.staticCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.dataplane.server.ServerState;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import dev.xdsdp.xds.testing.TestControlPlane;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The data plane following java-control-plane over ADS, state of the world and delta: initial
 * config, updates under load, endpoint changes, removal with drain, NACKs that keep the last good
 * config, a control plane restart, and a Unix-socket control plane.
 */
class DynamicConfigIT {

  @TempDir
  Path tmp;

  static final String HEADER_MUTATION = "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation";

  EchoUpstream a;
  EchoUpstream b;
  TestControlPlane cp;
  Dataplane dp;
  int port;

  @BeforeEach
  void upstreams() throws Exception {
    a = EchoUpstream.start("a");
    b = EchoUpstream.start("b");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
  }

  @AfterEach
  void stop() {
    if (dp != null) {
      dp.close();
    }
    if (cp != null) {
      cp.close();
    }
    a.close();
    b.close();
  }

  void startDataplane(boolean delta) throws Exception {
    var withAdmin = bootstrap(cp, delta, 0).toBuilder()
        .setAdmin(io.envoyproxy.envoy.config.bootstrap.v3.Admin.newBuilder().setAddress(
            io.envoyproxy.envoy.config.core.v3.Address.newBuilder().setSocketAddress(
                io.envoyproxy.envoy.config.core.v3.SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(0))))
        .build();
    dp = Dataplane.start(withAdmin, "--drain-time-s", "2");
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  String served(String path) {
    try {
      HttpResponse<String> r = get(uri(path));
      return r.statusCode() == 200 ? echo(r).getString("name") : "status " + r.statusCode();
    } catch (Exception e) {
      return "error " + e;
    }
  }

  /** Three clients sending {@code path} until stopped; anything but upstream a or b is a failure. */
  final class LoadClients {
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<CompletableFuture<Void>> clients = new ArrayList<>();

    LoadClients(String path) {
      for (int i = 0; i < 3; i++) {
        clients.add(CompletableFuture.runAsync(() -> {
          while (running.get()) {
            String s = served(path);
            if (!s.equals("a") && !s.equals("b")) {
              failures.add(s);
            }
          }
        }));
      }
    }

    /** Stops the clients and returns what failed. */
    List<String> stop() throws Exception {
      running.set(false);
      CompletableFuture.allOf(clients.toArray(new CompletableFuture[0])).get();
      return List.copyOf(failures);
    }
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void initialConfigArrivesAndTrafficFlows(boolean delta) throws Exception {
    cp = TestControlPlane.startTcp();
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "ca")));
    startDataplane(delta);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    assertEquals(ServerState.LIVE, dp.server().state());
    assertEquals("a", served("/"));
    assertEquals(1, dp.stat("control_plane.connected_state"));
    assertTrue(dp.stat("cluster_manager.cds.update_success") >= 1);
    assertTrue(dp.stat("listener_manager.lds.update_success") >= 1);
    // /config_dump shows the dynamic listener with its version.
    String dump = get(URI.create("http://127.0.0.1:" + dp.server().admin().port() + "/config_dump")).body();
    assertTrue(dump.contains("\"dynamic_listeners\""), dump);
    assertTrue(dump.contains("\"version_info\": \"1\""), dump);
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void routesChangeUnderLoadWithoutFailures(boolean delta) throws Exception {
    cp = TestControlPlane.startTcp();
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "ca")));
    startDataplane(delta);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    LoadClients load = new LoadClients("/load");
    for (int v = 2; v <= 8; v++) {
      cp.setSnapshot(String.valueOf(v), List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
          List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", v % 2 == 0 ? "cb" : "ca")));
      Thread.sleep(150);
    }
    // Version 8 routes to b.
    await(() -> served("/").equals("b"), "the last route (to b)");
    assertEquals(List.of(), load.stop());
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void clusterEndpointsChange(boolean delta) throws Exception {
    cp = TestControlPlane.startTcp();
    cp.setSnapshot("1", List.of(edsCluster("e", 0)), List.of(endpoints("e", a.port())),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "e")));
    startDataplane(delta);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    assertEquals("a", served("/"));
    cp.setSnapshot("2", List.of(edsCluster("e", 0)), List.of(endpoints("e", b.port())),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "e")));
    await(() -> served("/").equals("b"), "the new endpoint");
  }

  /**
   * A retry whose cluster was removed by CDS during the first attempt: as Envoy's router does on a
   * retry, the stream is answered 503 "no healthy upstream" (flag UH) and the removed cluster's
   * host is not asked again.
   */
  @Test
  void aRetryAfterItsClusterWasRemovedGetsNoHealthyUpstream() throws Exception {
    cp = TestControlPlane.startTcp();
    io.envoyproxy.envoy.config.route.v3.RouteConfiguration retrying = route("r", "cb").toBuilder()
        .setVirtualHosts(0, route("r", "cb").getVirtualHosts(0).toBuilder()
            .setRetryPolicy(io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
                .setRetryOn("5xx").setNumRetries(com.google.protobuf.UInt32Value.of(1))))
        .build();
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(retrying));
    startDataplane(false);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    assertEquals("b", served("/"));
    int before = b.requests();
    long active = dp.stat("cluster_manager.active_clusters");
    // The first attempt takes a second and fails with 503; cb is removed meanwhile.
    CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
      try {
        return get(URI.create("http://127.0.0.1:" + port + "/slow?delay=1000&status=503"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await(() -> b.requests() == before + 1, "the first attempt to reach cb");
    cp.setSnapshot("2", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(retrying));
    await(() -> dp.stat("cluster_manager.active_clusters") == active - 1, "cb to be removed");
    HttpResponse<String> r = slow.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(503, r.statusCode());
    assertEquals("no healthy upstream", r.body());
    assertEquals(before + 1, b.requests(), "the retry did not go to the removed cluster's host");
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void clustersChangedInPlaceUnderLoadThenRemoved(boolean delta) throws Exception {
    cp = TestControlPlane.startTcp();
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "cb")));
    startDataplane(delta);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    assertEquals("b", served("/"));
    LoadClients load = new LoadClients("/load");
    // cb changed in place (its endpoint moves to upstream a) while requests flow through it.
    long modified = dp.stat("cluster_manager.cluster_modified");
    cp.setSnapshot("2", List.of(staticCluster("ca", a.port()), staticCluster("cb", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "cb")));
    await(() -> served("/").equals("a"), "the changed cluster's new endpoint");
    Thread.sleep(200);
    assertEquals(List.of(), load.stop(), "no request fails while its cluster changes");
    assertTrue(dp.stat("cluster_manager.cluster_modified") > modified);

    // cb removed while the route still names it: Envoy answers 503 (no cluster, flag NC).
    long removed = dp.stat("cluster_manager.cluster_removed");
    long active = dp.stat("cluster_manager.active_clusters");
    cp.setSnapshot("3", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "cb")));
    await(() -> served("/").equals("status 503"), "503 for the removed cluster");
    assertTrue(dp.stat("cluster_manager.cluster_removed") > removed);
    assertEquals(active - 1, dp.stat("cluster_manager.active_clusters"));
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void removedListenerDrainsAndStopsAccepting(boolean delta) throws Exception {
    cp = TestControlPlane.startTcp();
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "ca")));
    startDataplane(delta);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> served("/slow?delay=1000"));
    Thread.sleep(300);
    cp.setSnapshot("2", List.of(staticCluster("ca", a.port())), List.of(), List.of(), List.of(route("r", "ca")));
    assertEquals("a", inFlight.get(), "the request in flight finishes during the drain");
    await(() -> served("/").startsWith("error"), "the listener to stop accepting");
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void badResourcesAreNackedAndTheOldConfigKeepsServing(boolean delta) throws Exception {
    cp = TestControlPlane.startTcp();
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "ca")));
    startDataplane(delta);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    // A listener with an unknown HTTP filter type beside the good one.
    Listener bad = rdsListener("bad", port + 1, "r", 0).toBuilder().build();
    var hcmFilter = bad.getFilterChains(0).getFilters(0);
    var hcm = hcmFilter.getTypedConfig().unpack(
        io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.class).toBuilder();
    hcm.addHttpFilters(0, io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter.newBuilder()
        .setName("mystery").setTypedConfig(com.google.protobuf.Any.pack(com.google.protobuf.StringValue.of("x"))));
    bad = bad.toBuilder().setFilterChains(0, bad.getFilterChains(0).toBuilder()
        .setFilters(0, hcmFilter.toBuilder().setTypedConfig(com.google.protobuf.Any.pack(hcm.build())))).build();
    cp.setSnapshot("2", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0), bad), List.of(route("r", "ca")));
    await(() -> dp.stat("listener_manager.lds.update_rejected") >= 1, "the NACK");
    String dump = get(URI.create("http://127.0.0.1:" + dp.server().admin().port() + "/config_dump?resource=dynamic_listeners")).body();
    assertTrue(dump.contains("Didn't find a registered implementation for 'mystery'"), dump);
    assertEquals("a", served("/"));
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void aRouteReferencingNothingIsNackedAndTheLastGoodTableServes(boolean delta) throws Exception {
    cp = TestControlPlane.startTcp();
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "ca")));
    startDataplane(delta);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    // A route that matches but has no action: no cluster, redirect or direct response.
    var nothing = route("r", "cb").toBuilder();
    nothing.getVirtualHostsBuilder(0).getRoutesBuilder(0).clearAction();
    cp.setSnapshot("2", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(nothing.build()));
    await(() -> dp.stat("http.dyn.rds.r.update_rejected") >= 1, "the RDS NACK");
    String dump = get(URI.create("http://127.0.0.1:" + dp.server().admin().port() + "/config_dump?resource=dynamic_route_configs")).body();
    assertTrue(dump.contains("a route needs one of route, redirect, direct_response or non_forwarding_action"), dump);
    assertEquals("a", served("/"), "the last good route table keeps serving");
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void controlPlaneRestartKeepsServingThenResyncs(boolean delta) throws Exception {
    cp = TestControlPlane.startTcp();
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "ca")));
    startDataplane(delta);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    cp.stop();
    await(() -> dp.stat("control_plane.connected_state") == 0, "the disconnect");
    assertEquals("a", served("/"), "the last config keeps serving");
    cp.setSnapshot("2", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "cb")));
    cp.start();
    await(() -> served("/").equals("b"), "the resync after reconnecting");
    assertEquals(1, dp.stat("control_plane.connected_state"));
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void controlPlaneOverAUnixSocket(boolean delta) throws Exception {
    cp = TestControlPlane.startUnix(tmp.resolve("xds.sock"));
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "ca")));
    startDataplane(delta);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    assertEquals("a", served("/"));
  }

  /** Envoy's proto3 JSON for a google.protobuf.Timestamp: RFC 3339 in UTC. */
  static final java.util.regex.Pattern TIMESTAMP =
      java.util.regex.Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");

  String admin(String path) throws Exception {
    return get(URI.create("http://127.0.0.1:" + dp.server().admin().port() + path)).body();
  }

  /** The section of /config_dump of type {@code envoy.admin.v3.<type>}, or null. */
  JsonObject dumpSection(String type) throws Exception {
    JsonArray configs = new JsonObject(admin("/config_dump")).getJsonArray("configs");
    for (int i = 0; i < configs.size(); i++) {
      JsonObject c = configs.getJsonObject(i);
      if (("type.googleapis.com/envoy.admin.v3." + type).equals(c.getString("@type"))) {
        return c;
      }
    }
    return null;
  }

  /** The entry of {@code dynamic_listeners} named {@code name}, or null. */
  JsonObject dynamicListener(String name) throws Exception {
    JsonArray listeners = dumpSection("ListenersConfigDump").getJsonArray("dynamic_listeners", new JsonArray());
    for (int i = 0; i < listeners.size(); i++) {
      if (name.equals(listeners.getJsonObject(i).getString("name"))) {
        return listeners.getJsonObject(i);
      }
    }
    return null;
  }

  static boolean quietly(java.util.concurrent.Callable<Boolean> c) {
    try {
      return c.call();
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * /config_dump in Envoy's shape for a listener still waiting for its route configuration (under
   * {@code dynamic_listeners[].warming_state}, no {@code active_state}) and for ECDS (an
   * {@code EcdsConfigDump} whose {@code ecds_filters} each carry {@code version_info},
   * {@code last_updated} and the {@code TypedExtensionConfig} as {@code ecds_filter}); once RDS
   * answers, the listener moves to {@code active_state}.
   */
  @Test
  void configDumpShowsAWarmingListenerAndTheEcdsFilters() throws Exception {
    cp = TestControlPlane.startTcp();
    cp.setExtensionConfigs("e1", List.of(addHeader("tagger", "x-tag", "v1")));
    var listener = rdsListener("dyn", port, "r", 0, discoveredFilter("tagger", 0,
        "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation"));
    // Route configuration "r" is not served yet: the listener warms (no initial fetch timeout).
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(), List.of(listener), List.of());
    startDataplane(false);
    await(() -> quietly(() -> dynamicListener("dyn") != null && dynamicListener("dyn").containsKey("warming_state")
        && !dumpSection("EcdsConfigDump").getJsonArray("ecds_filters", new JsonArray()).isEmpty()),
        "the warming listener and the ECDS filter in /config_dump");
    assertFalse(dp.server().awaitLive(Duration.ofMillis(200)), "the listener still warms");

    JsonObject dyn = dynamicListener("dyn");
    assertFalse(dyn.containsKey("active_state"), dyn.encodePrettily());
    JsonObject warming = dyn.getJsonObject("warming_state");
    assertEquals("1", warming.getValue("version_info"), dyn.encodePrettily());
    assertTrue(TIMESTAMP.matcher(warming.getString("last_updated")).matches(), dyn.encodePrettily());
    assertEquals("type.googleapis.com/envoy.config.listener.v3.Listener", warming.getJsonObject("listener").getString("@type"));
    assertEquals("dyn", warming.getJsonObject("listener").getString("name"));

    JsonArray ecds = dumpSection("EcdsConfigDump").getJsonArray("ecds_filters");
    assertEquals(1, ecds.size(), ecds.encodePrettily());
    JsonObject tagger = ecds.getJsonObject(0);
    assertEquals("e1", tagger.getValue("version_info"), tagger.encodePrettily());
    assertTrue(TIMESTAMP.matcher(tagger.getString("last_updated")).matches(), tagger.encodePrettily());
    JsonObject filter = tagger.getJsonObject("ecds_filter");
    assertEquals("type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig", filter.getString("@type"));
    assertEquals("tagger", filter.getString("name"));
    assertEquals("type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
        filter.getJsonObject("typed_config").getString("@type"));

    cp.setSnapshot("2", List.of(staticCluster("ca", a.port())), List.of(), List.of(listener), List.of(route("r", "ca")));
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    assertEquals("a", served("/"));
    dyn = dynamicListener("dyn");
    assertFalse(dyn.containsKey("warming_state"), dyn.encodePrettily());
    assertEquals("dyn", dyn.getJsonObject("active_state").getJsonObject("listener").getString("name"), dyn.encodePrettily());
  }

  /**
   * A CDS response with a good new cluster and a bad one: as in Envoy, the good one is added and
   * takes traffic, the bad one is rejected, and the NACK's error detail names it.
   */
  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void aBadClusterIsNackedAndTheGoodOnesOfTheResponseApply(boolean delta) throws Exception {
    cp = TestControlPlane.startTcp();
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "ca")));
    startDataplane(delta);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    assertEquals("a", served("/"));
    Cluster broken = staticCluster("broken-cluster", b.port()).toBuilder()
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(-1)).build();
    cp.setSnapshot("2", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port()), broken), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "cb")));
    String cds = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    String detail = delta
        ? cp.callbacks().awaitDelta(r -> r.getTypeUrl().equals(cds) && r.hasErrorDetail(), Duration.ofSeconds(20))
            .getErrorDetail().getMessage()
        : cp.callbacks().awaitSotw(r -> r.getTypeUrl().equals(cds) && r.hasErrorDetail(), Duration.ofSeconds(20))
            .getErrorDetail().getMessage();
    assertTrue(detail.contains("broken-cluster"), detail);
    assertFalse(detail.contains("cb:"), "only the bad cluster is rejected: " + detail);
    await(() -> served("/").equals("b"), "traffic to the good new cluster");
    assertTrue(dp.stat("cluster_manager.cds.update_rejected") >= 1);
    // /config_dump: cb is active; broken-cluster appears only as a NACKed entry with its error.
    // With ?resource=, Envoy lists each DynamicCluster as a config of its own.
    JsonArray dynamic = new JsonObject(admin("/config_dump?resource=dynamic_active_clusters")).getJsonArray("configs");
    List<String> active = new ArrayList<>();
    JsonObject nacked = null;
    for (int i = 0; i < dynamic.size(); i++) {
      JsonObject c = dynamic.getJsonObject(i);
      assertEquals("type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster", c.getString("@type"));
      if (c.containsKey("cluster")) {
        active.add(c.getJsonObject("cluster").getString("name"));
      } else {
        nacked = c;
      }
    }
    assertEquals(List.of("ca", "cb"), active, dynamic.encodePrettily());
    assertNotNull(nacked, dynamic.encodePrettily());
    assertEquals("NACKED", nacked.getString("client_status"), nacked.encodePrettily());
    assertTrue(nacked.getJsonObject("error_state").getString("details").contains("broken-cluster"), nacked.encodePrettily());
  }

  /**
   * The xDS stats in /stats/prometheus under Envoy's names and types: {@code control_plane.connected_state}
   * is a gauge, the update counters are counters, none with tags ({@code {}} as Envoy prints it),
   * and the version gauges are xxHash64 of the accepted version_info printed as a uint64.
   */
  @Test
  void xdsStatsInPrometheusUseEnvoyNamesAndTypes() throws Exception {
    cp = TestControlPlane.startTcp();
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0)), List.of(route("r", "ca")));
    startDataplane(false);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    // The version gauges hold xxHash64 of version_info, a uint64 as in Envoy: that of "1" is above
    // 2^63 (negative as a Java long).
    String version1 = Long.toUnsignedString(dev.xdsdp.xds.client.XxHash64.hash("1"));
    assertTrue(Long.parseUnsignedLong(version1) < 0, version1);
    assertPrometheus(admin("/stats/prometheus"), "envoy_cluster_manager_cds_version", "gauge", version1);
    assertTrue(admin("/stats?filter=cds.version").contains("cluster_manager.cds.version: " + version1 + "\n"));
    Listener bad = rdsListener("bad", port + 1, "r", 0).toBuilder().clearAddress().build();
    cp.setSnapshot("2", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0), bad), List.of(route("r", "ca")));
    await(() -> dp.stat("listener_manager.lds.update_rejected") >= 1, "the LDS NACK");
    String body = admin("/stats/prometheus");
    assertPrometheus(body, "envoy_control_plane_connected_state", "gauge", "1");
    assertPrometheus(body, "envoy_cluster_manager_cds_update_success", "counter", null);
    assertPrometheus(body, "envoy_cluster_manager_cds_update_rejected", "counter", "0");
    assertPrometheus(body, "envoy_listener_manager_lds_update_success", "counter", null);
    // (java-control-plane sends the rejected snapshot again on each NACK: the count keeps rising.)
    assertPrometheus(body, "envoy_listener_manager_lds_update_rejected", "counter", null);
    assertPrometheus(body, "envoy_listener_manager_lds_version", "gauge",
        Long.toUnsignedString(dev.xdsdp.xds.client.XxHash64.hash("1")));
  }

  /** One {@code # TYPE} line of {@code type} and one untagged sample (of {@code value} unless null) for {@code name}. */
  static void assertPrometheus(String body, String name, String type, String value) {
    List<String> lines = body.lines().toList();
    assertEquals(1, lines.stream().filter(l -> l.startsWith("# TYPE " + name + " ")).count(), name + " in\n" + body);
    assertTrue(lines.contains("# TYPE " + name + " " + type), name + " is a " + type + " in\n" + body);
    List<String> samples = lines.stream().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " ")).toList();
    assertEquals(1, samples.size(), name + " in\n" + body);
    String sample = samples.get(0);
    assertTrue(sample.startsWith(name + "{} "), sample);
    String v = sample.substring((name + "{} ").length());
    assertTrue(v.matches("\\d+"), sample);
    if (value != null) {
      assertEquals(value, v, sample);
    } else {
      assertTrue(Long.parseLong(v) >= 1, sample);
    }
  }

  /** A kept-alive HTTP/1.1 client connection read by hand: one response at a time, and whether the peer closed. */
  static final class KeepAlive implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    Map<String, String> last;
    String body;

    KeepAlive(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
    }

    void send(String path) throws IOException {
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: dyn\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
    }

    /** One header of the last response read. */
    String response(String header) {
      return last == null ? null : last.get(header);
    }

    /** The status line and lower-case headers of the next response (its body read and dropped), or null at EOF. */
    Map<String, String> response() throws IOException {
      StringBuilder head = new StringBuilder();
      while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          return null;
        }
        head.append((char) c);
      }
      Map<String, String> headers = new LinkedHashMap<>();
      String[] lines = head.toString().split("\r\n");
      headers.put(":status", lines[0].split(" ")[1]);
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "-1"));
      assertTrue(length >= 0, "a content-length response: " + headers);
      body = new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
      last = headers;
      return headers;
    }

    /** Milliseconds until the peer closes (EOF or reset), reading and dropping anything else; -1 past {@code max}. */
    long millisUntilClosed(long max) throws IOException {
      long start = System.nanoTime();
      long deadline = start + max * 1_000_000;
      byte[] buf = new byte[1024];
      while (System.nanoTime() < deadline) {
        socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        try {
          if (in.read(buf) < 0) {
            return (System.nanoTime() - start) / 1_000_000;
          }
        } catch (SocketTimeoutException e) {
          return -1;
        } catch (IOException e) {
          return (System.nanoTime() - start) / 1_000_000;
        }
      }
      return -1;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /**
   * HTTP/1.1 keep-alive connections of a listener that LDS removes, or changes in place, with
   * --drain-time-s 2: a request in flight that fits in the drain time is answered; an idle
   * connection is closed by the end of the drain time; a connection whose request outlives the
   * drain time is closed when the drain time is up, not when the response would have come. A
   * response during the drain carries "connection: close". As in Envoy, a connection idle when
   * the drain began still serves a request sent on it (a client reusing its pooled connection must
   * not see it closed under the request), through the filter chain, ECDS config and route table it
   * was accepted under, none of which the new config names.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"removed", "changed"})
  void keepAliveConnectionsOfALeavingListenerCloseAfterTheDrainTime(String how) throws Exception {
    cp = TestControlPlane.startTcp();
    // The old chain has a filter from ECDS that the new one does not name.
    cp.setExtensionConfigs("e1", List.of(addHeader("tagger", "x-tag", "v1")));
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0, discoveredFilter("tagger", 0, HEADER_MUTATION))),
        List.of(route("r", "ca"), route("r2", "cb")));
    startDataplane(false);
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    try (KeepAlive idle = new KeepAlive(port); KeepAlive shortOne = new KeepAlive(port);
        KeepAlive longOne = new KeepAlive(port)) {
      idle.send("/");
      assertEquals("200", idle.response().get(":status"));
      assertEquals(null, idle.response("connection"), "kept alive");
      shortOne.send("/slow?delay=800");
      longOne.send("/slow?delay=8000");
      Thread.sleep(200);
      long t0 = System.nanoTime();
      if (how.equals("removed")) {
        cp.setSnapshot("2", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
            List.of(), List.of(route("r", "ca"), route("r2", "cb")));
      } else {
        cp.setSnapshot("2", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
            List.of(rdsListener("dyn", port, "r2", 0)), List.of(route("r", "ca"), route("r2", "cb")));
      }
      Map<String, String> answered = shortOne.response();
      assertEquals("200", answered == null ? null : answered.get(":status"), "the request in flight is answered");
      assertEquals("close", answered.get("connection"), "and told the connection closes, as Envoy's drain does");
      {
        int servedByA = a.requests();
        idle.send("/");
        idle.send("/pipelined");
        Map<String, String> late = idle.response();
        assertEquals("200", late == null ? null : late.get(":status"),
            "a request on the connection that was idle when the drain began is served");
        assertEquals("close", late.get("connection"));
        JsonObject seen = new JsonObject(idle.body);
        assertEquals("a", seen.getString("name"), "by the route table the connection was accepted under");
        assertEquals("v1", seen.getJsonObject("headers").getJsonArray("x-tag").getString(0),
            "through the filter chain it was accepted under, its ECDS filter config included");
        assertNull(idle.response(), "the connection closes after that response, the pipelined request unanswered");
        assertEquals(servedByA + 1, a.requests(), "the pipelined request never reached the upstream");
      }
      assertNull(longOne.response(), "the long request is cut, not answered");
      long closedAfter = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(closedAfter >= 1500 && closedAfter < 6000,
          "the connection with a request in flight is closed when the drain time is up: " + closedAfter + " ms");
      if (how.equals("removed")) {
        assertTrue(dp.server().listeners().isEmpty());
      } else {
        assertEquals(1, dp.stat("listener_manager.listener_in_place_updated"));
        assertEquals("b", served("/"));
      }
    }
  }
}
