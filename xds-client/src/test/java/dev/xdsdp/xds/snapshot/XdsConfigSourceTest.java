package dev.xdsdp.xds.snapshot;

import static dev.xdsdp.xds.testing.XdsTestResources.edsCluster;
import static dev.xdsdp.xds.testing.XdsTestResources.endpoints;
import static dev.xdsdp.xds.testing.XdsTestResources.inlineListener;
import static dev.xdsdp.xds.testing.XdsTestResources.rdsListener;
import static dev.xdsdp.xds.testing.XdsTestResources.route;
import static dev.xdsdp.xds.testing.XdsTestResources.staticCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.StringValue;
import dev.xdsdp.xds.client.XxHash64;
import dev.xdsdp.xds.resource.XdsResourceTypes;
import dev.xdsdp.xds.testing.TestControlPlane;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The xDS client end to end against java-control-plane on a real port, state of the world and
 * delta: what arrives, what warms, what is NACKed and why, and what survives a control plane
 * restart.
 */
class XdsConfigSourceTest {

  static final String LDS = XdsResourceTypes.LISTENER.typeUrl();
  static final String RDS = XdsResourceTypes.ROUTE.typeUrl();
  static final String CDS = XdsResourceTypes.CLUSTER.typeUrl();
  static final String EDS = XdsResourceTypes.ENDPOINT.typeUrl();

  private TestControlPlane cp;
  private XdsHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
    if (cp != null) {
      cp.close();
    }
  }

  private XdsHarness start(boolean delta, long initialFetchTimeoutMillis) {
    if (cp == null) {
      cp = TestControlPlane.startTcp();
    }
    h = new XdsHarness(cp, delta).start(initialFetchTimeoutMillis);
    return h;
  }

  private void serve(String version, List<Cluster> clusters, List<ClusterLoadAssignment> cla, List<Listener> listeners,
      List<RouteConfiguration> routes) {
    cp.setSnapshot(version, clusters, cla, listeners, routes);
  }

  /** Waits for the ACK of {@code version} of a type. */
  private void awaitAck(String typeUrl, String version) {
    if (!h.delta) {
      cp.callbacks().awaitSotw(r -> r.getTypeUrl().equals(typeUrl) && r.getVersionInfo().equals(version)
          && !r.hasErrorDetail() && !r.getResponseNonce().isEmpty(), XdsHarness.WAIT);
      return;
    }
    cp.callbacks().awaitDelta(r -> r.getTypeUrl().equals(typeUrl) && !r.hasErrorDetail()
        && cp.callbacks().deltaResponses().stream().anyMatch(resp -> resp.getTypeUrl().equals(typeUrl)
            && resp.getNonce().equals(r.getResponseNonce()) && resp.getSystemVersionInfo().equals(version)),
        XdsHarness.WAIT);
  }

  /** Waits for a NACK of a type and returns its message. */
  private String awaitNack(String typeUrl) {
    if (!h.delta) {
      DiscoveryRequest r = cp.callbacks().awaitSotw(
          x -> x.getTypeUrl().equals(typeUrl) && x.hasErrorDetail(), XdsHarness.WAIT);
      assertEquals(13, r.getErrorDetail().getCode(), "NACKs carry INTERNAL, as Envoy's");
      return r.getVersionInfo() + "|" + r.getErrorDetail().getMessage();
    }
    DeltaDiscoveryRequest r = cp.callbacks().awaitDelta(
        x -> x.getTypeUrl().equals(typeUrl) && x.hasErrorDetail(), XdsHarness.WAIT);
    assertEquals(13, r.getErrorDetail().getCode());
    return "|" + r.getErrorDetail().getMessage();
  }

  private static List<Cluster> backend() {
    return List.of(edsCluster("backend", 0));
  }

  private static List<ClusterLoadAssignment> backendEndpoints(int... ports) {
    return List.of(endpoints("backend", ports));
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void initialConfigArrivesAndIsAcked(boolean delta) {
    cp = TestControlPlane.startTcp();
    serve("1", backend(), backendEndpoints(8081, 8082), List.of(rdsListener("ingress", 10001, "routes", 0)),
        List.of(route("routes", "backend")));
    start(delta, 0);

    ConfigSnapshot s = h.await(ConfigSnapshot::initialized, "initialized");
    assertEquals(List.of("ingress"), List.copyOf(s.listeners().keySet()));
    assertTrue(s.warmingListeners().isEmpty());
    assertEquals("routes", s.routeConfigs().get("routes").name());
    assertEquals(2, s.endpoints().get("backend").endpointCount());
    assertTrue(s.clusters().containsKey("backend"));
    assertEquals("1", s.typeVersions().get(LDS));
    ResourceStatus st = s.statuses(LDS).get("ingress");
    assertEquals(ResourceStatus.State.ACKED, st.state());
    // Delta versions are per resource (java-control-plane uses a content hash).
    assertEquals(delta ? s.statuses(LDS).get("ingress").version() : "1", st.version());
    assertFalse(st.version().isEmpty());
    assertNotNull(st.lastUpdated());
    assertNotNull(st.lastAccepted());

    for (String t : List.of(CDS, EDS, LDS, RDS)) {
      awaitAck(t, "1");
    }
    // Istio's set_node_on_first_message_only: the node rides on the stream's first request only.
    if (delta) {
      List<DeltaDiscoveryRequest> reqs = cp.callbacks().deltaRequests();
      assertEquals(XdsHarness.NODE.getId(), reqs.getFirst().getNode().getId());
      assertTrue(reqs.stream().skip(1).noneMatch(DeltaDiscoveryRequest::hasNode));
      assertTrue(reqs.getFirst().getResourceNamesSubscribeList().contains("*"), "wildcard CDS");
    } else {
      List<DiscoveryRequest> reqs = cp.callbacks().sotwRequests();
      assertEquals(XdsHarness.NODE.getId(), reqs.getFirst().getNode().getId());
      assertTrue(reqs.stream().skip(1).noneMatch(DiscoveryRequest::hasNode));
      assertEquals(CDS, reqs.getFirst().getTypeUrl(), "clusters are subscribed before listeners");
    }

    h.awaitStat("control_plane.connected_state", v -> v == 1);
    h.awaitStat("listener_manager.lds.update_success", v -> v >= 1);
    h.awaitStat("cluster_manager.cds.update_success", v -> v >= 1);
    assertEquals(XxHash64.hash("1"), h.stats.value("cluster_manager.cds.version"));
    assertEquals(0, h.stats.value("cluster_manager.cds.update_rejected"));
    h.awaitStat("http.ingress.rds.routes.update_success", v -> v >= 1);
    h.awaitStat("http.ingress.rds.routes.config_reload", v -> v == 1);
    h.awaitStat("cluster.backend.update_success", v -> v >= 1);
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void listenerWarmsUntilItsRouteArrives(boolean delta) throws Exception {
    cp = TestControlPlane.startTcp();
    serve("1", List.of(staticCluster("backend", 8081)), List.of(), List.of(rdsListener("ingress", 10001, "r1", 0)),
        List.of());
    start(delta, 0);

    ConfigSnapshot s = h.await(x -> x.warmingListeners().containsKey("ingress"), "ingress warming");
    assertTrue(s.listeners().isEmpty());
    assertFalse(s.initialized(), "initialization waits for warming listeners");
    Thread.sleep(300);
    assertTrue(h.latest().listeners().isEmpty(), "initial_fetch_timeout 0 waits forever");

    serve("2", List.of(staticCluster("backend", 8081)), List.of(), List.of(rdsListener("ingress", 10001, "r1", 0)),
        List.of(route("r1", "backend")));
    s = h.await(x -> x.listeners().containsKey("ingress"), "ingress active");
    assertTrue(s.warmingListeners().isEmpty());
    assertTrue(s.initialized());
    assertNotNull(s.routeConfigs().get("r1"));

    // A changed listener naming a new route warms while the old version keeps serving.
    Listener v3 = rdsListener("ingress", 10001, "r2", 0);
    serve("3", List.of(staticCluster("backend", 8081)), List.of(), List.of(v3), List.of(route("r1", "backend")));
    s = h.await(x -> x.warmingListeners().containsKey("ingress"), "changed ingress warming");
    assertTrue(s.listeners().containsKey("ingress"), "the old version keeps serving");
    assertFalse(s.listeners().get("ingress").source().equals(v3));
    // Make before break: the old route stays served until the new listener has warmed.
    serve("4", List.of(staticCluster("backend", 8081)), List.of(), List.of(v3),
        List.of(route("r1", "backend"), route("r2", "backend")));
    s = h.await(x -> x.warmingListeners().isEmpty() && x.listeners().get("ingress").source().equals(v3), "v3 active");
    assertFalse(s.routeConfigs().containsKey("r1"), "r1 is no longer referenced");
    if (delta) {
      cp.callbacks().awaitDelta(r -> r.getTypeUrl().equals(RDS) && r.getResourceNamesUnsubscribeList().contains("r1"),
          XdsHarness.WAIT);
    } else {
      cp.callbacks().awaitSotw(r -> r.getTypeUrl().equals(RDS) && r.getResourceNamesList().equals(List.of("r2")),
          XdsHarness.WAIT);
    }
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void routeInitialFetchTimeoutLetsTheListenerServeWithoutIt(boolean delta) {
    cp = TestControlPlane.startTcp();
    serve("1", List.of(staticCluster("backend", 8081)), List.of(), List.of(rdsListener("ingress", 10001, "missing", 300)),
        List.of());
    start(delta, 0);
    ConfigSnapshot s = h.await(x -> x.listeners().containsKey("ingress"), "ingress active after the timeout");
    assertTrue(s.initialized());
    assertFalse(s.routeConfigs().containsKey("missing"));
    assertEquals(ResourceStatus.State.DOES_NOT_EXIST, s.statuses(RDS).get("missing").state());
    h.awaitStat("http.ingress.rds.missing.init_fetch_timeout", v -> v == 1);
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void edsClusterWarmsUntilItsEndpointsArrive(boolean delta) {
    cp = TestControlPlane.startTcp();
    serve("1", backend(), List.of(), List.of(inlineListener("ingress", 10001, "backend")), List.of());
    start(delta, 0);

    ConfigSnapshot s = h.await(x -> x.warmingClusters().containsKey("backend"), "backend warming");
    assertTrue(s.clusters().isEmpty());
    assertTrue(s.listeners().isEmpty(), "LDS waits for the initial clusters to warm, as Envoy's init order");
    assertFalse(s.initialized());

    serve("2", backend(), backendEndpoints(8081), List.of(inlineListener("ingress", 10001, "backend")), List.of());
    s = h.await(x -> x.initialized() && x.listeners().containsKey("ingress"), "initialized");
    assertTrue(s.clusters().containsKey("backend"));
    assertEquals(1, s.endpoints().get("backend").endpointCount());

    // A changed cluster warms again until a fresh EDS response, even with unchanged endpoints.
    Cluster changed = edsCluster("backend", 0).toBuilder().setConnectTimeout(Duration.newBuilder().setSeconds(2)).build();
    serve("3", List.of(changed), backendEndpoints(8081), List.of(inlineListener("ingress", 10001, "backend")), List.of());
    s = h.await(x -> x.clusters().containsKey("backend")
        && x.clusters().get("backend").connectTimeout().equals(java.time.Duration.ofSeconds(2)), "changed backend active");
    assertTrue(s.warmingClusters().isEmpty());

    // Endpoint changes arrive without touching the cluster.
    serve("4", List.of(changed), backendEndpoints(8081, 8082, 8083), List.of(inlineListener("ingress", 10001, "backend")),
        List.of());
    s = h.await(x -> x.endpoints().get("backend").endpointCount() == 3, "three endpoints");
    assertSame(s.clusters().get("backend"), h.latest().clusters().get("backend"));
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void updatesAndRemovalsFollowTheServer(boolean delta) {
    cp = TestControlPlane.startTcp();
    List<Cluster> clusters = List.of(edsCluster("a", 0), edsCluster("b", 0));
    List<ClusterLoadAssignment> cla = List.of(endpoints("a", 8081), endpoints("b", 8082));
    serve("1", clusters, cla, List.of(rdsListener("l1", 10001, "ra", 0), rdsListener("l2", 10002, "rb", 0)),
        List.of(route("ra", "a"), route("rb", "b")));
    start(delta, 0);
    ConfigSnapshot s = h.await(x -> x.initialized() && x.listeners().size() == 2, "two listeners");
    assertEquals(2, s.clusters().size());

    serve("2", List.of(edsCluster("a", 0)), List.of(endpoints("a", 8081)), List.of(rdsListener("l1", 10001, "ra", 0)),
        List.of(route("ra", "b-gone-now-a")));
    s = h.await(x -> x.listeners().size() == 1 && x.clusters().size() == 1
        && x.routeConfigs().size() == 1 && x.endpoints().size() == 1, "one of each");
    assertTrue(s.listeners().containsKey("l1"));
    assertTrue(s.clusters().containsKey("a"));
    assertFalse(s.statuses(LDS).containsKey("l2"));
    assertFalse(s.statuses(CDS).containsKey("b"));
    assertTrue(s.routeConfigs().containsKey("ra"));
    h.await(x -> x.statuses(RDS).get("ra").lastAccepted().toString().contains("b-gone-now-a"), "route changed");
    h.awaitStat("http.l1.rds.ra.config_reload", v -> v == 2);

    // An empty state-of-the-world LDS/CDS response removes everything.
    serve("3", List.of(), List.of(), List.of(), List.of());
    s = h.await(x -> x.listeners().isEmpty() && x.clusters().isEmpty(), "nothing left");
    assertTrue(s.endpoints().isEmpty());
    assertTrue(s.routeConfigs().isEmpty());
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void malformedListenerIsNackedAndTheGoodOnesApplied(boolean delta) {
    cp = TestControlPlane.startTcp();
    serve("1", List.of(staticCluster("backend", 8081)), List.of(), List.of(inlineListener("good", 10001, "backend")),
        List.of());
    start(delta, 0);
    h.await(x -> x.listeners().containsKey("good"), "good");

    Listener bad = inlineListener("bad", 10002, "backend").toBuilder().clearAddress().build();
    Listener good2 = inlineListener("good", 10001, "backend").toBuilder().setStatPrefix("good_v2").build();
    Listener other = inlineListener("other", 10003, "backend");
    serve("2", List.of(staticCluster("backend", 8081)), List.of(), List.of(good2, bad, other), List.of());
    String nack = awaitNack(LDS);
    // The NACK is on record for the bad listener while it is offered (version 3 drops it, and with
    // it its status, as Envoy forgets a resource that is no longer sent).
    h.await(x -> x.statuses(LDS).get("bad") != null
        && x.statuses(LDS).get("bad").state() == ResourceStatus.State.NACKED, "the bad listener's NACK status");
    // Replace the bad version at once: java-control-plane resends a NACKed SotW snapshot in a loop.
    serve("3", List.of(staticCluster("backend", 8081)), List.of(), List.of(good2, other), List.of());
    assertTrue(nack.contains("bad: address: a listener needs an address"), nack);
    if (!delta) {
      assertTrue(nack.startsWith("1|"), "a NACK carries the last accepted version: " + nack);
    }
    ConfigSnapshot s = h.await(x -> x.listeners().containsKey("other"), "other applied");
    assertEquals("good_v2", s.listeners().get("good").statPrefix());
    h.awaitStat("listener_manager.lds.update_rejected", v -> v >= 1);
    if (!delta) {
      // (java-control-plane's delta cache sends nothing for v3: nothing changed from v2 that the client had.)
      awaitAck(LDS, "3");
    }
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void nackedResourceShowsItsErrorAndKeepsTheLastGoodValue(boolean delta) {
    cp = TestControlPlane.startTcp();
    serve("1", List.of(staticCluster("backend", 8081)), List.of(), List.of(rdsListener("ingress", 10001, "routes", 0)),
        List.of(route("routes", "backend")));
    start(delta, 0);
    ConfigSnapshot before = h.await(ConfigSnapshot::initialized, "initialized");
    var table = before.routeConfigs().get("routes");

    // A route config whose per-filter config names a type nobody registered.
    RouteConfiguration unknownFilter = route("routes", "backend").toBuilder()
        .putTypedPerFilterConfig("mystery", Any.pack(StringValue.of("x"))).build();
    serve("2", List.of(staticCluster("backend", 8081)), List.of(), List.of(rdsListener("ingress", 10001, "routes", 0)),
        List.of(unknownFilter));
    String nack = awaitNack(RDS);
    assertTrue(nack.contains("routes: typed_per_filter_config[\"mystery\"]: Didn't find a registered implementation"),
        nack);
    ConfigSnapshot s = h.await(x -> x.statuses(RDS).get("routes").state() == ResourceStatus.State.NACKED, "NACKED");
    ResourceStatus st = s.statuses(RDS).get("routes");
    assertTrue(st.errorDetails().contains("mystery"));
    assertFalse(st.errorVersion().isEmpty());
    if (!delta) {
      assertEquals("2", st.errorVersion());
    }
    assertNotNull(st.errorTime());
    assertEquals(unknownFilter, st.rejected());
    assertSame(table, s.routeConfigs().get("routes"), "the last good route table keeps serving");
    h.awaitStat("http.ingress.rds.routes.update_rejected", v -> v >= 1);
    serve("3", List.of(staticCluster("backend", 8081)), List.of(), List.of(rdsListener("ingress", 10001, "routes", 0)),
        List.of(route("routes", "backend")));
    if (!delta) {
      // (A delta server sends nothing here: the client already holds this content.)
      awaitAck(RDS, "3");
    }
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void cdsCannotReplaceAStaticCluster(boolean delta) {
    cp = TestControlPlane.startTcp();
    serve("1", List.of(staticCluster("xds-grpc", 9), staticCluster("backend", 8081)), List.of(), List.of(), List.of());
    start(delta, 0);
    String nack = awaitNack(CDS);
    serve("2", List.of(staticCluster("backend", 8081)), List.of(), List.of(), List.of());
    assertTrue(nack.contains("cluster 'xds-grpc' is static"), nack);
    ConfigSnapshot s = h.await(x -> x.clusters().containsKey("backend"), "backend");
    assertFalse(s.clusters().containsKey("xds-grpc"));
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void controlPlaneRestartReconnectsResubscribesAndKeepsTheLastSnapshot(boolean delta) {
    cp = TestControlPlane.startTcp();
    serve("1", backend(), backendEndpoints(8081), List.of(rdsListener("ingress", 10001, "routes", 0)),
        List.of(route("routes", "backend")));
    start(delta, 0);
    ConfigSnapshot s = h.await(ConfigSnapshot::initialized, "initialized");
    awaitAck(LDS, "1");
    int streams = cp.callbacks().streamsOpened();

    cp.stop();
    h.awaitStat("control_plane.connected_state", v -> v == 0);
    h.awaitStat("listener_manager.lds.update_failure", v -> v >= 1);
    cp.callbacks().clear();
    ConfigSnapshot during = h.latest();
    assertEquals(s.listeners().keySet(), during.listeners().keySet(), "the last config keeps serving");
    assertEquals(s.clusters().keySet(), during.clusters().keySet());

    cp.start();
    if (delta) {
      DeltaDiscoveryRequest first = cp.callbacks().awaitDelta(r -> r.getTypeUrl().equals(CDS), XdsHarness.WAIT);
      assertEquals(s.statuses(CDS).get("backend").version(), first.getInitialResourceVersionsMap().get("backend"),
          first.toString());
      DeltaDiscoveryRequest rds = cp.callbacks().awaitDelta(r -> r.getTypeUrl().equals(RDS), XdsHarness.WAIT);
      assertEquals(s.statuses(RDS).get("routes").version(), rds.getInitialResourceVersionsMap().get("routes"));
      assertTrue(rds.getResourceNamesSubscribeList().contains("routes"));
    } else {
      DiscoveryRequest first = cp.callbacks().awaitSotw(r -> r.getTypeUrl().equals(LDS), XdsHarness.WAIT);
      assertEquals("1", first.getVersionInfo(), "the last accepted version is resent");
      assertEquals("", first.getResponseNonce(), "nonces do not survive a stream");
      DiscoveryRequest rds = cp.callbacks().awaitSotw(r -> r.getTypeUrl().equals(RDS), XdsHarness.WAIT);
      assertEquals(List.of("routes"), rds.getResourceNamesList());
    }
    assertTrue(cp.callbacks().streamsOpened() > streams);
    h.awaitStat("control_plane.connected_state", v -> v == 1);

    serve("2", backend(), backendEndpoints(8081, 8082), List.of(rdsListener("ingress", 10001, "routes", 0)),
        List.of(route("routes", "backend")));
    h.await(x -> x.endpoints().get("backend").endpointCount() == 2, "re-synced");
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void unixSocketControlPlane(boolean delta, @TempDir Path dir) {
    cp = TestControlPlane.startUnix(dir.resolve("XDS"));
    assertTrue(Files.exists(dir.resolve("XDS")));
    serve("1", backend(), backendEndpoints(8081), List.of(inlineListener("ingress", 10001, "backend")), List.of());
    start(delta, 0);
    ConfigSnapshot s = h.await(ConfigSnapshot::initialized, "initialized over a Unix socket");
    assertTrue(s.listeners().containsKey("ingress"));
    assertNull(s.warmingClusters().get("backend"));
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void cdsInitialFetchTimeoutInitializesWithoutAServerAnswer(boolean delta) {
    cp = TestControlPlane.startTcp();
    // No snapshot at all: the cache holds every watch open.
    start(delta, 300);
    ConfigSnapshot s = h.await(ConfigSnapshot::initialized, "initialized after the timeouts");
    assertTrue(s.listeners().isEmpty());
    h.awaitStat("cluster_manager.cds.init_fetch_timeout", v -> v == 1);
    h.awaitStat("listener_manager.lds.init_fetch_timeout", v -> v == 1);
    serve("1", List.of(staticCluster("backend", 8081)), List.of(), List.of(inlineListener("ingress", 10001, "backend")),
        List.of());
    h.await(x -> x.listeners().containsKey("ingress"), "late config still applies");
  }

  @org.junit.jupiter.api.Test
  void rateLimitSettingsQueueRequestsAndCountThem() {
    cp = TestControlPlane.startTcp();
    serve("1", backend(), backendEndpoints(8081), List.of(rdsListener("ingress", 10001, "routes", 0)),
        List.of(route("routes", "backend")));
    var b = dev.xdsdp.xds.testing.XdsTestResources.info(cp, false, 0);
    var info = new dev.xdsdp.xds.bootstrap.XdsBootstrapInfo(b.apiType(), b.server(), b.clusterName(), b.keepalive(),
        b.tcpKeepalive(), b.initialMetadata(), b.setNodeOnFirstMessageOnly(), b.lds(), b.ldsInitialFetchTimeout(),
        b.cds(), b.cdsInitialFetchTimeout(), new dev.xdsdp.xds.bootstrap.XdsBootstrapInfo.RateLimit(1, 20),
        b.staticClusterNames(), b.warnings());
    h = new XdsHarness(cp, false).start(info);
    h.await(ConfigSnapshot::initialized, "initialized through the rate limit");
    h.awaitStat("control_plane.rate_limit_enforced", v -> v >= 1);
    h.awaitStat("control_plane.pending_requests", v -> v == 0);
  }
}
