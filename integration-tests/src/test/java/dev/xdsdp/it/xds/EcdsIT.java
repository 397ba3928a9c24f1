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
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import dev.xdsdp.xds.testing.TestControlPlane;
import io.envoyproxy.envoy.config.common.mutation_rules.v3.HeaderMutation;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.Mutations;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ECDS through the control plane: warming on the filter config, updates for new streams, NFCF. */
class EcdsIT {

  static final String TYPE = "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation";

  EchoUpstream a;
  TestControlPlane cp;
  Dataplane dp;
  int port;

  @BeforeEach
  void start() throws Exception {
    a = EchoUpstream.start("a");
    cp = TestControlPlane.startTcp();
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
        List.of(rdsListener("dyn", port, "r", 0, discoveredFilter("tagger", 300, TYPE))), List.of(route("r", "ca")));
    dp = Dataplane.start(bootstrap(cp, delta, 0));
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)), "the fetch timeout ends the warming");
    HttpResponse<String> r = get(uri());
    assertEquals(500, r.statusCode());
    assertEquals(0, a.requests());
  }
}
