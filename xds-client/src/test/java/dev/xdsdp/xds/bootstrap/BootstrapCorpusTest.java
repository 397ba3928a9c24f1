package dev.xdsdp.xds.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.StringValue;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.http.wasm.v3.Wasm;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Realistic bootstraps, loaded from files, checked down to the typed_config contents. */
class BootstrapCorpusTest {

  @TempDir Path dir;

  private Path copy(String resource) throws IOException {
    Path p = dir.resolve(resource);
    try (InputStream in = getClass().getResourceAsStream("/bootstrap/" + resource)) {
      Files.copy(in, p);
    }
    return p;
  }

  @Test
  void staticListenerWithHcmRouteAndCluster() throws Exception {
    LoadedBootstrap loaded = BootstrapLoader.load(copy("static-hcm.yaml"), null, false);
    Bootstrap b = loaded.bootstrap();
    assertEquals(List.of(), loaded.warnings());
    assertEquals(9901, b.getAdmin().getAddress().getSocketAddress().getPortValue());
    var listener = b.getStaticResources().getListeners(0);
    assertEquals(10000, listener.getAddress().getSocketAddress().getPortValue());
    Any hcmAny = listener.getFilterChains(0).getFilters(0).getTypedConfig();
    HttpConnectionManager hcm = hcmAny.unpack(HttpConnectionManager.class);
    assertEquals("ingress_http", hcm.getStatPrefix());
    assertEquals(HttpConnectionManager.CodecType.AUTO, hcm.getCodecType()); // "auto"
    assertEquals(250_000_000, hcm.getCommonHttpProtocolOptions().getIdleTimeout().getNanos());
    Route route = hcm.getRouteConfig().getVirtualHosts(0).getRoutes(0);
    assertEquals("service_backend", route.getRoute().getCluster());
    assertEquals(15, route.getRoute().getTimeout().getSeconds());
    assertTrue(hcm.getHttpFilters(0).getTypedConfig().is(Router.class));

    Cluster cluster = b.getStaticResources().getClusters(0);
    assertEquals(Cluster.DiscoveryType.STRICT_DNS, cluster.getType());
    assertEquals(Cluster.LbPolicy.LEAST_REQUEST, cluster.getLbPolicy()); // "Least_Request"
    assertEquals(32768, cluster.getPerConnectionBufferLimitBytes().getValue());
    // A deprecated field that is still present is kept, and reported.
    assertEquals(1000, cluster.getMaxRequestsPerConnection().getValue());
    assertEquals(
        List.of(
            dir.resolve("static-hcm.yaml") + ": static_resources.clusters[0].max_requests_per_connection:"
                + " using deprecated option"
                + " 'envoy.config.cluster.v3.Cluster.max_requests_per_connection' from file"
                + " cluster.proto"),
        loaded.deprecations());
  }

  @Test
  void typedStructWrappedWasmFilterAnchorsMergeKeysAndMixedCaseEnums() throws Exception {
    LoadedBootstrap loaded = BootstrapLoader.load(copy("wasm-typed-struct.yaml"), null, false);
    Bootstrap b = loaded.bootstrap();
    HttpConnectionManager hcm =
        b.getStaticResources().getListeners(0).getFilterChains(0).getFilters(0).getTypedConfig()
            .unpack(HttpConnectionManager.class);

    Any wasmAny = hcm.getHttpFilters(0).getTypedConfig();
    assertEquals("type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm", wasmAny.getTypeUrl());
    Wasm wasm = wasmAny.unpack(Wasm.class);
    assertEquals("add_header", wasm.getConfig().getRootId());
    assertTrue(wasm.getConfig().getFailOpen());
    assertEquals("/etc/envoy/add_header.wasm", wasm.getConfig().getVmConfig().getCode().getLocal().getFilename());
    // The plugin's own configuration is not a typed_config: it stays the Any it was.
    assertEquals(
        "{\"header\": \"x-wasm\", \"value\": \"yes\"}",
        wasm.getConfig().getConfiguration().unpack(StringValue.class).getValue());

    // xds.type.v3.TypedStruct works too; "yes" is a YAML boolean.
    Router router = hcm.getHttpFilters(1).getTypedConfig().unpack(Router.class);
    assertTrue(router.getSuppressEnvoyHeaders());

    FilterConfig perRoute =
        hcm.getRouteConfig().getVirtualHosts(0).getRoutes(0).getTypedPerFilterConfigMap()
            .get("envoy.filters.http.wasm").unpack(FilterConfig.class);
    assertTrue(perRoute.getDisabled());

    List<Cluster> clusters = b.getStaticResources().getClustersList();
    assertEquals("upstream", clusters.get(0).getName());
    assertEquals(Cluster.DiscoveryType.STATIC, clusters.get(0).getType()); // "static" via <<
    assertEquals(Cluster.LbPolicy.ROUND_ROBIN, clusters.get(0).getLbPolicy());
    assertEquals(500_000_000, clusters.get(0).getConnectTimeout().getNanos());
    assertEquals(Cluster.LbPolicy.RANDOM, clusters.get(1).getLbPolicy()); // explicit key wins
    assertEquals(List.of(), loaded.warnings());
  }

  @Test
  void istioStyleJsonWithAdsAndProtocolOptions() throws Exception {
    Bootstrap b = BootstrapLoader.load(copy("ads.json"), null, false).bootstrap();
    assertEquals("app.default", b.getNode().getCluster());
    // In a .json file numbers stay numbers, in Struct metadata too.
    Value ratio = b.getNode().getMetadata().getFieldsOrThrow("RATIO");
    assertEquals(0.5, ratio.getNumberValue());
    assertEquals(ApiConfigSource.ApiType.GRPC, b.getDynamicResources().getAdsConfig().getApiType());
    assertTrue(b.getDynamicResources().getLdsConfig().hasAds());
    assertEquals(
        "xds-grpc",
        b.getDynamicResources().getAdsConfig().getGrpcServices(0).getEnvoyGrpc().getClusterName());
    Cluster xds = b.getStaticResources().getClusters(0);
    HttpProtocolOptions options =
        xds.getTypedExtensionProtocolOptionsMap()
            .get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
            .unpack(HttpProtocolOptions.class);
    assertTrue(options.getExplicitHttpConfig().hasHttp2ProtocolOptions());
    assertEquals(
        2147483647.0,
        b.getLayeredRuntime().getLayers(0).getStaticLayer()
            .getFieldsOrThrow("overload.global_downstream_max_connections").getNumberValue());
  }

  @Test
  void istioStyleOverrideMergedThroughConfigYaml() throws Exception {
    // pilot-agent passes ISTIO_BOOTSTRAP_OVERRIDE, converted to JSON, as --config-yaml.
    String override =
        "{\"static_resources\":{\"clusters\":[{\"name\":\"extra\",\"type\":\"static\","
            + "\"connect_timeout\":\"2s\"}]},\"node\":{\"id\":\"override-node\"}}";
    Bootstrap b = BootstrapLoader.load(copy("ads.json"), override, false).bootstrap();
    assertEquals("override-node", b.getNode().getId());
    assertEquals("app.default", b.getNode().getCluster());
    assertEquals(2, b.getStaticResources().getClustersCount());
    assertEquals("extra", b.getStaticResources().getClusters(1).getName());
    assertEquals(Cluster.DiscoveryType.STATIC, b.getStaticResources().getClusters(1).getType());
  }
}
