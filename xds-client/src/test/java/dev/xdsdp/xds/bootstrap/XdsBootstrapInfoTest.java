package dev.xdsdp.xds.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class XdsBootstrapInfoTest {

  private static Optional<XdsBootstrapInfo> parse(String yaml) throws Exception {
    return XdsBootstrapInfo.from(BootstrapLoader.loadYaml(yaml, "test.yaml", false).bootstrap());
  }

  private static final String XDS_CLUSTER = """
      static_resources:
        clusters:
        - name: xds-grpc
          type: STATIC
          load_assignment:
            cluster_name: xds-grpc
            endpoints:
            - lb_endpoints:
              - endpoint:
                  address: %s
      """;

  private static String bootstrap(String dynamic, String address) {
    return "dynamic_resources:\n" + dynamic.indent(2) + XDS_CLUSTER.formatted(address);
  }

  private static final String ADS = """
      lds_config: {ads: {}, resource_api_version: V3}
      cds_config: {ads: {}, initial_fetch_timeout: 0s}
      ads_config:
        api_type: %s
        transport_api_version: V3
        grpc_services:
        - envoy_grpc: {cluster_name: xds-grpc}
      """;

  @Test
  void istioBootstrap() throws Exception {
    XdsBootstrapInfo info = XdsBootstrapInfo.from(BootstrapLoader.loadFile(
        Path.of(getClass().getResource("/bootstrap/ads.json").toURI()), false).bootstrap()).orElseThrow();
    assertEquals(XdsBootstrapInfo.ApiType.SOTW, info.apiType());
    assertEquals(XdsBootstrapInfo.ServerTarget.tcp("127.0.0.1", 15010), info.server());
    assertEquals("xds-grpc", info.clusterName());
    assertTrue(info.setNodeOnFirstMessageOnly());
    assertTrue(info.lds() && info.cds());
    assertEquals(Duration.ZERO, info.ldsInitialFetchTimeout(), "0s waits forever");
    assertEquals(Duration.ZERO, info.cdsInitialFetchTimeout());
    assertTrue(info.staticClusterNames().contains("xds-grpc"));
    assertNull(info.rateLimit());
  }

  @Test
  void deltaOverAUnixSocketWithKeepaliveAndDefaults() throws Exception {
    String yaml = bootstrap(ADS.formatted("DELTA_GRPC"), "{pipe: {path: /etc/istio/proxy/XDS}}")
        .replace("    type: STATIC\n", """
                type: STATIC
                typed_extension_protocol_options:
                  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                    explicit_http_config:
                      http2_protocol_options:
                        connection_keepalive: {interval: 30s, timeout: 5s}
                upstream_connection_options: {tcp_keepalive: {keepalive_time: 300}}
            """);
    assertTrue(yaml.contains("connection_keepalive"));
    XdsBootstrapInfo info = parse(yaml).orElseThrow();
    assertEquals(XdsBootstrapInfo.ApiType.DELTA, info.apiType());
    assertEquals("/etc/istio/proxy/XDS", info.server().unixPath());
    assertEquals("unix:/etc/istio/proxy/XDS", info.server().toString());
    assertEquals(new XdsBootstrapInfo.Keepalive(Duration.ofSeconds(30), Duration.ofSeconds(5)), info.keepalive());
    assertTrue(info.tcpKeepalive());
    assertEquals(XdsBootstrapInfo.DEFAULT_INITIAL_FETCH_TIMEOUT, info.ldsInitialFetchTimeout(), "unset is 15 s");
    assertFalse(info.setNodeOnFirstMessageOnly());
  }

  @Test
  void googleGrpcTargetAndMetadataAndRateLimit() throws Exception {
    XdsBootstrapInfo info = parse("""
        dynamic_resources:
          cds_config: {ads: {}}
          ads_config:
            api_type: GRPC
            rate_limit_settings: {max_tokens: 5, fill_rate: 2.5}
            grpc_services:
            - google_grpc: {target_uri: "dns:///istiod.istio-system.svc:15010", stat_prefix: xds}
              initial_metadata: [{key: X-Tenant, value: a}]
        """).orElseThrow();
    assertEquals("dns:///istiod.istio-system.svc:15010", info.server().targetUri());
    assertEquals("a", info.initialMetadata().get("x-tenant"));
    assertEquals(new XdsBootstrapInfo.RateLimit(5, 2.5), info.rateLimit());
    assertFalse(info.lds());
    assertTrue(info.cds());
  }

  @Test
  void noDynamicResourcesMeansNoXds() throws Exception {
    assertTrue(parse(XDS_CLUSTER.formatted("{socket_address: {address: 127.0.0.1, port_value: 1}}")).isEmpty());
  }

  private static String error(String yaml) {
    return assertThrows(BootstrapException.class, () -> parse(yaml)).getMessage();
  }

  @Test
  void errorsNameTheField() {
    String tcp = "{socket_address: {address: 127.0.0.1, port_value: 15010}}";
    assertEquals("dynamic_resources.lds_config.api_config_source: not supported: only 'ads: {}' config sources are "
        + "supported", error(bootstrap("""
            lds_config: {api_config_source: {api_type: GRPC, grpc_services: [{envoy_grpc: {cluster_name: xds-grpc}}]}}
            """, tcp)));
    assertEquals("dynamic_resources.ads_config.api_type: REST is not supported (supported: GRPC, DELTA_GRPC)",
        error(bootstrap(ADS.formatted("REST"), tcp)));
    assertEquals("dynamic_resources.ads_config.grpc_services[0].envoy_grpc.cluster_name: unknown cluster 'nope': the "
        + "xDS server must be a static cluster of the bootstrap",
        error(bootstrap(ADS.formatted("GRPC").replace("cluster_name: xds-grpc", "cluster_name: nope"), tcp)));
    assertEquals("dynamic_resources.ads_config: required: lds_config/cds_config use ads but no ads_config is set",
        error(bootstrap("lds_config: {ads: {}}\n", tcp)));
    assertTrue(error(bootstrap(ADS.formatted("GRPC"), "{socket_address: {address: 127.0.0.1}}"))
        .startsWith("static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address"
            + ".socket_address: "));
  }
}
