package dev.xdsdp.wasm.abi.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.xdsdp.api.http.Protocol;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.api.stream.ResponseFlag;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestNodes;
import dev.xdsdp.wasm.testing.TestStreamHost;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code proxy_get_property}/{@code proxy_set_property} over Envoy's attribute catalogue. */
class PropertyAbiTest {

  private static PluginHarness h;

  @BeforeAll
  static void start() {
    h = PluginHarness.create("abi_suite", b -> b.rootId("prop_root").vmId("prop_vm"));
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static Map<String, String> props(TestStreamHost host, String list) {
    host.requestHeaders.add("x-case", "props");
    host.requestHeaders.add("x-props", list);
    h.log.clear();
    PluginHarness.TestStream s = h.stream(host);
    s.requestHeaders(true);
    s.destroy();
    return h.log.reports();
  }

  private static TestStreamHost request() {
    TestStreamHost host =
        TestStreamHost.request(
            "POST", "/api/v1?debug=1", "user-agent", "curl/8", "referer", "http://ref", "x-request-id", "rid-1",
            "x-dup", "a", "x-dup", "b", "content-length", "12");
    host.info.protocol = Protocol.HTTP_2;
    host.info.upstreamCluster = "backend";
    host.info.routeName = "route_a";
    host.info.virtualHostName = "vh_a";
    host.info.upstreamHost = Address.ofIp("10.9.9.9", 9000);
    host.info.attemptCount = 2;
    host.info.responseCode = 201;
    host.info.responseCodeDetails = "via_upstream";
    host.info.addResponseFlag(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
    return host;
  }

  @Test
  void requestAttributes() {
    Map<String, String> r =
        props(request(),
            "s:request.path,s:request.url_path,s:request.query,s:request.method,s:request.host,s:request.scheme,"
                + "s:request.useragent,s:request.referer,s:request.id,s:request.protocol,i:request.size,"
                + "s:request.headers.x-dup,s:request.headers.user-agent,i:request.time");
    assertEquals("/api/v1?debug=1", r.get("prop:request.path"));
    assertEquals("/api/v1", r.get("prop:request.url_path"));
    assertEquals("debug=1", r.get("prop:request.query"));
    assertEquals("POST", r.get("prop:request.method"));
    assertEquals("example.com", r.get("prop:request.host"));
    assertEquals("http", r.get("prop:request.scheme"));
    assertEquals("curl/8", r.get("prop:request.useragent"));
    assertEquals("http://ref", r.get("prop:request.referer"));
    assertEquals("rid-1", r.get("prop:request.id"));
    assertEquals("HTTP/2", r.get("prop:request.protocol"));
    assertEquals("12", r.get("prop:request.size"));
    assertEquals("a,b", r.get("prop:request.headers.x-dup"));
    assertEquals("curl/8", r.get("prop:request.headers.user-agent"));
    long ns = Long.parseLong(r.get("prop:request.time"));
    assertEquals(System.currentTimeMillis() / 10_000, ns / 10_000_000_000L);
  }

  @Test
  void requestHeadersAsAMapAreSerializedPairs() {
    TestStreamHost host = TestStreamHost.request("GET", "/m", "x-a", "1");
    Map<String, String> r = props(host, "h:request.headers");
    Map<String, String> joined = new java.util.LinkedHashMap<>();
    host.requestHeaders.forEach((k, v) -> joined.merge(k, v, (a, b) -> a + "," + b));
    byte[] expected =
        dev.xdsdp.wasm.abi.memory.PairsCodec.encode(java.util.List.copyOf(joined.entrySet()));
    assertEquals(HexFormat.of().formatHex(expected), r.get("prop:request.headers"));
  }

  @Test
  void responseConnectionUpstreamAndAddresses() {
    Map<String, String> r =
        props(request(),
            "i:response.code,s:response.code_details,i:response.flags,s:source.address,i:source.port,"
                + "s:destination.address,i:destination.port,i:connection.id,i:connection_id,b:connection.mtls,"
                + "s:upstream.address,i:upstream.port,i:upstream.request_attempt_count");
    assertEquals("201", r.get("prop:response.code"));
    assertEquals("via_upstream", r.get("prop:response.code_details"));
    assertEquals(Long.toString(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT.bit()), r.get("prop:response.flags"));
    assertEquals("10.1.2.3:54321", r.get("prop:source.address"));
    assertEquals("54321", r.get("prop:source.port"));
    assertEquals("10.0.0.1:8080", r.get("prop:destination.address"));
    assertEquals("8080", r.get("prop:destination.port"));
    assertEquals("42", r.get("prop:connection.id"));
    assertEquals("42", r.get("prop:connection_id"));
    assertEquals("false", r.get("prop:connection.mtls"));
    assertEquals("10.9.9.9:9000", r.get("prop:upstream.address"));
    assertEquals("9000", r.get("prop:upstream.port"));
    assertEquals("2", r.get("prop:upstream.request_attempt_count"));
  }

  @Test
  void xdsPluginAndLegacyNames() {
    Map<String, String> r =
        props(request(),
            "s:xds.cluster_name,s:xds.route_name,s:xds.virtual_host_name,s:xds.node.id,s:xds.node.cluster,"
                + "s:xds.node.metadata.ISTIO_VERSION,s:xds.node.locality.zone,h:xds.node,s:node.id,"
                + "s:node.metadata.MESH_ID,s:cluster_name,s:route_name,s:plugin_name,s:plugin_root_id,"
                + "s:plugin_vm_id");
    assertEquals("backend", r.get("prop:xds.cluster_name"));
    assertEquals("route_a", r.get("prop:xds.route_name"));
    assertEquals("vh_a", r.get("prop:xds.virtual_host_name"));
    assertEquals(TestNodes.NODE.getId(), r.get("prop:xds.node.id"));
    assertEquals("test-cluster", r.get("prop:xds.node.cluster"));
    assertEquals("1.24.0", r.get("prop:xds.node.metadata.ISTIO_VERSION"));
    assertEquals("eu-west-1a", r.get("prop:xds.node.locality.zone"));
    assertEquals(HexFormat.of().formatHex(TestNodes.NODE.toByteArray()), r.get("prop:xds.node"));
    assertEquals(TestNodes.NODE.getId(), r.get("prop:node.id"));
    assertEquals("mesh1", r.get("prop:node.metadata.MESH_ID"));
    assertEquals("backend", r.get("prop:cluster_name"));
    assertEquals("route_a", r.get("prop:route_name"));
    assertEquals(h.plugin.config().name(), r.get("prop:plugin_name"));
    assertEquals("prop_root", r.get("prop:plugin_root_id"));
    assertEquals("prop_vm", r.get("prop:plugin_vm_id"));
  }

  @Test
  void metadataFilterStateAndMissingPaths() {
    TestStreamHost host = request();
    host.info.setDynamicMetadata(
        "envoy_lb", Struct.newBuilder().putFields("canary", Value.newBuilder().setBoolValue(true).build()).build());
    Map<String, String> r =
        props(host,
            "b:metadata.filter_metadata.envoy_lb.canary,s:nope,s:request.nope,s:xds.node.nope,"
                + "s:upstream.local_address,s:metadata.filter_metadata.other");
    assertEquals("true", r.get("prop:metadata.filter_metadata.envoy_lb.canary"));
    assertEquals("status 1", r.get("prop:metadata.filter_metadata.other"));
    assertEquals("status 1", r.get("prop:nope"));
    assertEquals("status 1", r.get("prop:request.nope"));
    assertEquals("status 1", r.get("prop:xds.node.nope"));
    assertEquals("status 1", r.get("prop:upstream.local_address"));
  }

  @Test
  void filterStateKeysWithDotsNeedNulSeparatedPaths() {
    // "filter_state.some.state" with '.' turned into NUL walks filter_state -> "some" -> "state",
    // which does not exist; the key with a dot is one segment.
    TestStreamHost host = request();
    host.info.filterState.put("plain", "v");
    assertEquals("v", props(host, "s:filter_state.plain").get("prop:filter_state.plain"));
  }

  @Test
  void hostOverridesWin() {
    TestStreamHost host = request();
    host.propertyOverrides.put("xds.listener_direction", dev.xdsdp.wasm.abi.host.PropertyResolver.le64(1));
    host.propertyOverrides.put("request.path", "/overridden".getBytes(StandardCharsets.UTF_8));
    Map<String, String> r = props(host, "i:xds.listener_direction,s:request.path");
    assertEquals("1", r.get("prop:xds.listener_direction"));
    assertEquals("/overridden", r.get("prop:request.path"));
  }

  @Test
  void setPropertyStoresFilterStateThatGetReads() {
    TestStreamHost host = TestStreamHost.request("GET", "/", "x-case", "set_property");
    h.log.clear();
    PluginHarness.TestStream s = h.stream(host);
    s.requestHeaders(true);
    s.destroy();
    assertEquals("0", h.log.get("set_property"));
    assertEquals("0", h.log.get("get_back"));
    assertEquals("v1", h.log.get("value"));
    assertEquals("v1", new String((byte[]) host.info.filterState.get("wasm.wasm_test_key"), StandardCharsets.UTF_8));
  }
}
