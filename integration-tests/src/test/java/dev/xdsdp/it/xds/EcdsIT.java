package dev.xdsdp.it.xds;

import static dev.xdsdp.it.support.Http.get;
import static dev.xdsdp.it.support.Http.upstreamHeader;
import static dev.xdsdp.xds.testing.XdsTestResources.bootstrap;
import static dev.xdsdp.xds.testing.XdsTestResources.discoveredFilter;
import static dev.xdsdp.xds.testing.XdsTestResources.rdsListener;
import static dev.xdsdp.xds.testing.XdsTestResources.route;
import static dev.xdsdp.xds.testing.XdsTestResources.staticCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import dev.xdsdp.it.support.AccessLogFile;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import dev.xdsdp.xds.testing.TestControlPlane;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.common.mutation_rules.v3.HeaderMutation;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.Mutations;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ECDS through the control plane: warming on the filter config, updates for new streams, NFCF, default configs. */
class EcdsIT {

  static final String TYPE = "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation";

  @TempDir
  Path tmp;

  EchoUpstream a;
  TestControlPlane cp;
  Path log;
  Dataplane dp;
  int port;

  @BeforeEach
  void start() throws Exception {
    a = EchoUpstream.start("a");
    cp = TestControlPlane.startTcp();
    log = tmp.resolve("access.log");
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
    a.close();
  }

  static TypedExtensionConfig tagger(String version) {
    var hm = io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation.newBuilder()
        .setMutations(Mutations.newBuilder().addRequestMutations(HeaderMutation.newBuilder()
            .setAppend(HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey("x-version").setValue(version)))))
        .build();
    return TypedExtensionConfig.newBuilder().setName("tagger").setTypedConfig(Any.pack(hm)).build();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void listenerWarmsUntilTheFilterConfigThenNewStreamsGetEachVersion(boolean delta) throws Exception {
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0, discoveredFilter("tagger", 0, TYPE))), List.of(route("r", "ca")));
    dp = Dataplane.start(bootstrap(cp, delta, 0));
    assertFalse(dp.server().awaitLive(Duration.ofMillis(800)), "the listener warms until ECDS arrives");
    cp.setExtensionConfigs("e1", List.of(tagger("v1")));
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    assertEquals("v1", upstreamHeader(get(uri()), "x-version"));
    cp.setExtensionConfigs("e2", List.of(tagger("v2")));
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String seen = "";
    while (!seen.equals("v2") && System.nanoTime() < deadline) {
      seen = upstreamHeader(get(uri()), "x-version");
      Thread.sleep(20);
    }
    assertEquals("v2", seen);
    assertTrue(dp.stat("extension_config_discovery.http_filter.tagger.config_reload") >= 2);
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void missingConfigAfterTheFetchTimeoutAnswers500(boolean delta) throws Exception {
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(withAccessLog(rdsListener("dyn", port, "r", 0, discoveredFilter("tagger", 300, TYPE)))),
        List.of(route("r", "ca")));
    dp = Dataplane.start(bootstrap(cp, delta, 0), "--file-flush-interval-msec", "50");
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)), "the fetch timeout ends the warming");
    HttpResponse<String> r = get(URI.create("http://127.0.0.1:" + port + "/nfcf"));
    assertEquals(500, r.statusCode());
    assertEquals(0, a.requests());
    assertEquals("/nfcf 500 NFCF", AccessLogFile.line(log, "/nfcf "));
  }

  /**
   * {@code default_config} without {@code apply_default_config_without_warming}: the listener warms
   * for the filter config as usual; when the initial fetch times out the default serves (no NFCF),
   * until the discovered config arrives.
   */
  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void defaultConfigServesAfterTheFetchTimeoutUntilTheConfigArrives(boolean delta) throws Exception {
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0, withDefault(discoveredFilter("tagger", 300, TYPE), false))),
        List.of(route("r", "ca")));
    dp = Dataplane.start(bootstrap(cp, delta, 0));
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)), "the fetch timeout ends the warming");
    HttpResponse<String> r = get(uri());
    assertEquals(200, r.statusCode());
    assertEquals("default", upstreamHeader(r, "x-version"));
    cp.setExtensionConfigs("e1", List.of(tagger("v1")));
    assertEquals("v1", awaitVersion("v1"));
  }

  /** Without a fetch timeout, a default config does not end the warming: the first config served is ECDS's. */
  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void defaultConfigStillWarmsWithoutAFetchTimeout(boolean delta) throws Exception {
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0, withDefault(discoveredFilter("tagger", 0, TYPE), false))),
        List.of(route("r", "ca")));
    dp = Dataplane.start(bootstrap(cp, delta, 0));
    assertFalse(dp.server().awaitLive(Duration.ofMillis(800)), "the listener warms until ECDS arrives");
    cp.setExtensionConfigs("e1", List.of(tagger("v1")));
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    assertEquals("v1", upstreamHeader(get(uri()), "x-version"));
  }

  /**
   * {@code apply_default_config_without_warming}: the listener does not wait for ECDS at all (no
   * fetch timeout here); the default serves until the discovered config arrives.
   */
  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void defaultConfigWithoutWarmingServesAtOnceUntilTheConfigArrives(boolean delta) throws Exception {
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0, withDefault(discoveredFilter("tagger", 0, TYPE), true))),
        List.of(route("r", "ca")));
    dp = Dataplane.start(bootstrap(cp, delta, 0));
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)), "no warming for the filter config");
    HttpResponse<String> r = get(uri());
    assertEquals(200, r.statusCode());
    assertEquals("default", upstreamHeader(r, "x-version"));
    cp.setExtensionConfigs("e1", List.of(tagger("v1")));
    assertEquals("v1", awaitVersion("v1"));
  }

  /**
   * A config the control plane deletes (delta: removed_resources) is dropped as in Envoy: streams
   * fall back to the {@code default_config} when there is one, else answer 500 with NFCF.
   */
  @ParameterizedTest(name = "default={0}")
  @ValueSource(booleans = {false, true})
  void aDeletedConfigFallsBackToTheDefaultOrToNfcf(boolean withDefaultConfig) throws Exception {
    HttpFilter filter = discoveredFilter("tagger", 0, TYPE);
    cp.setSnapshot("1", List.of(staticCluster("ca", a.port())), List.of(),
        List.of(rdsListener("dyn", port, "r", 0, withDefaultConfig ? withDefault(filter, false) : filter)),
        List.of(route("r", "ca")));
    cp.setExtensionConfigs("e1", List.of(tagger("v1")));
    dp = Dataplane.start(bootstrap(cp, true, 0));
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    assertEquals("v1", upstreamHeader(get(uri()), "x-version"));
    cp.setExtensionConfigs("e2", List.of());
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    HttpResponse<String> r = get(uri());
    while (r.statusCode() == 200 && "v1".equals(upstreamHeader(r, "x-version")) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      r = get(uri());
    }
    if (withDefaultConfig) {
      assertEquals(200, r.statusCode());
      assertEquals("default", upstreamHeader(r, "x-version"));
    } else {
      assertEquals(500, r.statusCode());
    }
  }

  /** {@code filter} with {@code default_config} (a tagger adding x-version: default). */
  static HttpFilter withDefault(HttpFilter filter, boolean withoutWarming) {
    HttpFilter.Builder b = filter.toBuilder();
    b.getConfigDiscoveryBuilder().setDefaultConfig(tagger("default").getTypedConfig())
        .setApplyDefaultConfigWithoutWarming(withoutWarming);
    return b.build();
  }

  /** Sends until the upstream sees x-version {@code expected}; returns the last one seen. */
  String awaitVersion(String expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String seen = null;
    while (!expected.equals(seen) && System.nanoTime() < deadline) {
      seen = upstreamHeader(get(uri()), "x-version");
      Thread.sleep(20);
    }
    return seen;
  }

  /** {@code l} with a file access log of "path code flags" lines in {@link #log}. */
  Listener withAccessLog(Listener l) throws Exception {
    var filter = l.getFilterChains(0).getFilters(0);
    var hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class).toBuilder();
    hcm.addAccessLog(AccessLog.newBuilder().setName("envoy.access_loggers.file")
        .setTypedConfig(Any.pack(FileAccessLog.newBuilder().setPath(log.toString())
            .setLogFormat(SubstitutionFormatString.newBuilder().setTextFormatSource(
                DataSource.newBuilder().setInlineString("%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS%\n")))
            .build())));
    return l.toBuilder().setFilterChains(0, l.getFilterChains(0).toBuilder()
        .setFilters(0, filter.toBuilder().setTypedConfig(Any.pack(hcm.build())))).build();
  }

}
