package dev.xdsdp.xds.snapshot;

import static dev.xdsdp.xds.testing.XdsTestResources.addHeader;
import static dev.xdsdp.xds.testing.XdsTestResources.discoveredFilter;
import static dev.xdsdp.xds.testing.XdsTestResources.inlineListener;
import static dev.xdsdp.xds.testing.XdsTestResources.routerConfig;
import static dev.xdsdp.xds.testing.XdsTestResources.staticCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.xds.resource.XdsResourceTypes;
import dev.xdsdp.xds.testing.TestControlPlane;
import dev.xdsdp.xds.testing.TestFilters;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ECDS through the whole client: warming on it, updates, type checks, timeouts, unsubscribing. */
class EcdsTest {

  static final String ECDS = XdsResourceTypes.EXTENSION_CONFIG.typeUrl();

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

  private void serveListeners(String version, Listener... listeners) {
    cp.setSnapshot(version, List.of(staticCluster("backend", 8081)), List.of(), List.of(listeners), List.of());
  }

  private String awaitEcdsNack(boolean delta) {
    if (delta) {
      return cp.callbacks().awaitDelta(r -> r.getTypeUrl().equals(ECDS) && r.hasErrorDetail(), XdsHarness.WAIT)
          .getErrorDetail().getMessage();
    }
    return cp.callbacks().awaitSotw(r -> r.getTypeUrl().equals(ECDS) && r.hasErrorDetail(), XdsHarness.WAIT)
        .getErrorDetail().getMessage();
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void listenerWarmsOnEcdsAndFollowsItsUpdates(boolean delta) {
    cp = TestControlPlane.startTcp();
    Listener l = inlineListener("ingress", 10001, "backend",
        discoveredFilter("hdr", 0, TestFilters.HEADER_MUTATION_TYPE_URL));
    serveListeners("1", l);
    h = new XdsHarness(cp, delta).start(0);

    ConfigSnapshot s = h.await(x -> x.warmingListeners().containsKey("ingress"), "warming on ECDS");
    assertFalse(s.initialized());
    if (delta) {
      cp.callbacks().awaitDelta(r -> r.getTypeUrl().equals(ECDS) && r.getResourceNamesSubscribeList().equals(List.of("hdr")),
          XdsHarness.WAIT);
    } else {
      cp.callbacks().awaitSotw(r -> r.getTypeUrl().equals(ECDS) && r.getResourceNamesList().equals(List.of("hdr")),
          XdsHarness.WAIT);
    }

    cp.setExtensionConfigs("1", List.of(addHeader("hdr", "x-a", "1")));
    s = h.await(x -> x.listeners().containsKey("ingress") && x.initialized(), "active");
    ExtensionConfig c1 = s.extensionConfigs().get("hdr");
    assertEquals(TestFilters.HEADER_MUTATION_TYPE_URL, c1.typeUrl());
    assertEquals("x-a", ((TestFilters.AddHeaders) c1.factory()).headers().getFirst()[0]);
    assertEquals(addHeader("hdr", "x-a", "1").getTypedConfig(), c1.source());
    assertEquals(ResourceStatus.State.ACKED, s.statuses(ECDS).get("hdr").state());
    h.awaitStat("extension_config_discovery.http_filter.hdr.config_reload", v -> v == 1);
    var listener = s.listeners().get("ingress");

    cp.setExtensionConfigs("2", List.of(addHeader("hdr", "x-a", "2")));
    s = h.await(x -> x.extensionConfigs().get("hdr") != c1, "v2");
    ExtensionConfig c2 = s.extensionConfigs().get("hdr");
    assertEquals("2", ((TestFilters.AddHeaders) c2.factory()).headers().getFirst()[1]);
    assertSame(listener, s.listeners().get("ingress"), "an ECDS update changes no listener");
    assertTrue(s.warmingListeners().isEmpty());
    h.awaitStat("extension_config_discovery.http_filter.hdr.config_reload", v -> v == 2);

    // A config whose type the filter does not accept is rejected; v2 keeps serving.
    cp.setExtensionConfigs("3", List.of(routerConfig("hdr")));
    String nack = awaitEcdsNack(delta);
    assertTrue(nack.contains("hdr: Error: filter config has type URL envoy.extensions.filters.http.router.v3.Router but "
        + "expect " + TestFilters.HEADER_MUTATION_TYPE_URL), nack);
    s = h.await(x -> x.statuses(ECDS).get("hdr").state() == ResourceStatus.State.NACKED, "NACKED");
    assertSame(c2, s.extensionConfigs().get("hdr"));
    h.awaitStat("extension_config_discovery.http_filter.hdr.config_conflict", v -> v == 1);
    h.awaitStat("extension_config_discovery.http_filter.hdr.config_fail", v -> v == 1);

    // Without a listener naming it, the config is unsubscribed and dropped.
    serveListeners("2", inlineListener("ingress", 10001, "backend"));
    s = h.await(x -> x.extensionConfigs().isEmpty() && x.listeners().containsKey("ingress")
        && x.listeners().get("ingress") != listener, "no ECDS");
    if (delta) {
      cp.callbacks().awaitDelta(r -> r.getTypeUrl().equals(ECDS) && r.getResourceNamesUnsubscribeList().contains("hdr"),
          XdsHarness.WAIT);
    } else {
      cp.callbacks().awaitSotw(r -> r.getTypeUrl().equals(ECDS) && r.getResourceNamesList().isEmpty(), XdsHarness.WAIT);
    }
    assertFalse(s.statuses(ECDS).containsKey("hdr"));
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void ecdsInitialFetchTimeoutActivatesTheListenerWithoutConfig(boolean delta) {
    cp = TestControlPlane.startTcp();
    serveListeners("1", inlineListener("ingress", 10001, "backend",
        discoveredFilter("hdr", 300, TestFilters.HEADER_MUTATION_TYPE_URL)));
    h = new XdsHarness(cp, delta).start(0);
    ConfigSnapshot s = h.await(x -> x.listeners().containsKey("ingress"), "active after the timeout");
    assertTrue(s.initialized());
    assertFalse(s.extensionConfigs().containsKey("hdr"), "no config: the data plane answers 500 NFCF");
    assertEquals(ResourceStatus.State.DOES_NOT_EXIST, s.statuses(ECDS).get("hdr").state());
    h.awaitStat("extension_config_discovery.http_filter.hdr.config_fail", v -> v == 1);

    cp.setExtensionConfigs("1", List.of(addHeader("hdr", "x-late", "1")));
    s = h.await(x -> x.extensionConfigs().containsKey("hdr"), "late config");
    assertEquals(ResourceStatus.State.ACKED, s.statuses(ECDS).get("hdr").state());
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void aListenerThatDoesNotAcceptAKnownConfigIsRejected(boolean delta) {
    cp = TestControlPlane.startTcp();
    cp.setExtensionConfigs("1", List.of(addHeader("hdr", "x-a", "1")));
    serveListeners("1", inlineListener("a", 10001, "backend",
        discoveredFilter("hdr", 0, TestFilters.HEADER_MUTATION_TYPE_URL)));
    h = new XdsHarness(cp, delta).start(0);
    h.await(x -> x.listeners().containsKey("a"), "a");

    // "b" names the same ECDS resource but accepts only another type.
    serveListeners("2", inlineListener("a", 10001, "backend",
        discoveredFilter("hdr", 0, TestFilters.HEADER_MUTATION_TYPE_URL)),
        inlineListener("b", 10002, "backend", discoveredFilter("hdr", 0, TestFilters.SET_METADATA_TYPE_URL)));
    String nack = delta
        ? cp.callbacks().awaitDelta(r -> r.getTypeUrl().equals(XdsResourceTypes.LISTENER.typeUrl()) && r.hasErrorDetail(),
            XdsHarness.WAIT).getErrorDetail().getMessage()
        : cp.callbacks().awaitSotw(r -> r.getTypeUrl().equals(XdsResourceTypes.LISTENER.typeUrl()) && r.hasErrorDetail(),
            XdsHarness.WAIT).getErrorDetail().getMessage();
    serveListeners("3", inlineListener("a", 10001, "backend",
        discoveredFilter("hdr", 0, TestFilters.HEADER_MUTATION_TYPE_URL)));
    assertTrue(nack.startsWith("b: http filter 'hdr': Error: filter config has type URL"), nack);
    assertFalse(h.latest().listeners().containsKey("b"));
  }
}
