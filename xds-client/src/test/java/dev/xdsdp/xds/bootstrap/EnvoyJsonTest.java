package dev.xdsdp.xds.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.wasm.v3.Wasm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing single Envoy messages: Envoy's leniencies, and exact error messages. */
class EnvoyJsonTest {

  private static String error(String yaml, Message.Builder into) {
    return assertThrows(ConfigParseException.class, () -> EnvoyJson.parse(yaml, into, "test.yaml"))
        .getMessage();
  }

  private static Cluster cluster(String yaml) throws ConfigParseException {
    Cluster.Builder b = Cluster.newBuilder();
    EnvoyJson.parse(yaml, b, "test.yaml");
    return b.build();
  }

  @Test
  void enumNamesInAnyCase() throws Exception {
    assertEquals(Cluster.LbPolicy.ROUND_ROBIN, cluster("lb_policy: round_robin").getLbPolicy());
    assertEquals(Cluster.LbPolicy.RING_HASH, cluster("lb_policy: Ring_Hash").getLbPolicy());
    assertEquals(Cluster.LbPolicy.MAGLEV, cluster("lb_policy: 5").getLbPolicy()); // by number
    assertEquals(Cluster.DiscoveryType.EDS, cluster("type: eds").getType());
    assertEquals(
        "test.yaml: lb_policy: unknown value \"ROUND_ROBBIN\" of enum"
            + " envoy.config.cluster.v3.Cluster.LbPolicy (did you mean \"ROUND_ROBIN\"?)",
        error("lb_policy: ROUND_ROBBIN", Cluster.newBuilder()));
    assertEquals(
        "test.yaml: type: unknown value \"bogus\" of enum"
            + " envoy.config.cluster.v3.Cluster.DiscoveryType"
            + " (expected one of STATIC, STRICT_DNS, LOGICAL_DNS, EDS, ORIGINAL_DST)",
        error("type: bogus", Cluster.newBuilder()));
    assertEquals(
        "test.yaml: lb_policy: expected a value of enum envoy.config.cluster.v3.Cluster.LbPolicy,"
            + " got true",
        error("lb_policy: yes", Cluster.newBuilder()));
  }

  @Test
  void scalarsFollowEnvoysYamlRules() throws Exception {
    Cluster c =
        cluster(
            """
            name: big
            connect_timeout: 0.25s
            per_connection_buffer_limit_bytes: 0x8000
            dns_refresh_rate: 1.5s
            respect_dns_ttl: On
            outlier_detection:
              max_ejection_percent: 50
              max_ejection_time: 300s
            load_balancing_policy: ~
            common_lb_config:
              healthy_panic_threshold: {value: 25.5}
            """);
    assertEquals("big", c.getName());
    assertEquals(250_000_000, c.getConnectTimeout().getNanos());
    assertEquals(32768, c.getPerConnectionBufferLimitBytes().getValue());
    assertEquals(1, c.getDnsRefreshRate().getSeconds());
    assertTrue(c.getRespectDnsTtl());
    assertEquals(50, c.getOutlierDetection().getMaxEjectionPercent().getValue());
    assertEquals(25.5, c.getCommonLbConfig().getHealthyPanicThreshold().getValue());
    // 64-bit integers beyond int32 become strings, which proto3 JSON reads back as integers.
    RouteConfiguration.Builder r = RouteConfiguration.newBuilder();
    EnvoyJson.parse("max_direct_response_body_size_bytes: 4000000000", r, "r.yaml");
    assertEquals(
        4_000_000_000L, Integer.toUnsignedLong(r.getMaxDirectResponseBodySizeBytes().getValue()));
  }

  @Test
  void typeErrorsNameTheFieldPath() {
    assertEquals(
        "test.yaml: connect_timeout: expected a duration such as \"1s\" or \"0.25s\", got \"5m\"",
        error("connect_timeout: 5m", Cluster.newBuilder()));
    assertEquals(
        "test.yaml: connect_timeout: expected a duration such as \"1s\" or \"0.25s\", got 5",
        error("connect_timeout: 5", Cluster.newBuilder()));
    assertEquals(
        "test.yaml: name: expected a string, got 123",
        error("name: 123", Cluster.newBuilder()));
    assertEquals(
        "test.yaml: respect_dns_ttl: expected a boolean (true or false), got \"maybe\"",
        error("respect_dns_ttl: maybe", Cluster.newBuilder()));
    assertEquals(
        "test.yaml: load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address"
            + ".port_value: expected a uint32 (0 to 4294967295), got -1",
        error(
            """
            load_assignment:
              endpoints:
              - lb_endpoints:
                - endpoint: {address: {socket_address: {address: a, port_value: -1}}}
            """,
            Cluster.newBuilder()));
    assertEquals(
        "test.yaml: per_connection_buffer_limit_bytes: expected an integer, got 1.5",
        error("per_connection_buffer_limit_bytes: 1.5", Cluster.newBuilder()));
    assertEquals(
        "test.yaml: load_assignment.endpoints: expected a list, got an object",
        error("load_assignment: {endpoints: {a: 1}}", Cluster.newBuilder()));
    assertEquals(
        "test.yaml: load_assignment: expected an object, got \"x\"",
        error("load_assignment: x", Cluster.newBuilder()));
    assertEquals(
        "test.yaml: metadata.filter_metadata[\"envoy.lb\"]: expected an object, got 3",
        error("metadata: {filter_metadata: {envoy.lb: 3}}", Cluster.newBuilder()));
  }

  @Test
  void oneofAndDuplicateFields() {
    assertEquals(
        "test.yaml: only one of \"type\" and \"cluster_type\" may be set"
            + " (they belong to oneof \"cluster_discovery_type\")",
        error("type: STATIC\ncluster_type: {name: x}", Cluster.newBuilder()));
    assertEquals(
        "test.yaml: field \"lb_policy\" is set twice (as \"lb_policy\" and \"lbPolicy\")",
        error("lb_policy: RANDOM\nlbPolicy: MAGLEV", Cluster.newBuilder()));
  }

  @Test
  void camelCaseNamesWorkAndGetCamelCaseSuggestions() throws Exception {
    assertEquals(Cluster.LbPolicy.RANDOM, cluster("lbPolicy: RANDOM").getLbPolicy());
    assertEquals(
        "test.yaml: lbPolcy: unknown field (did you mean \"lbPolicy\"?)",
        error("lbPolcy: RANDOM", Cluster.newBuilder()));
    assertEquals(
        "test.yaml: zzz: unknown field", error("zzz: 1", Cluster.newBuilder()));
  }

  @Test
  void anyTypesMustBeKnown() {
    assertEquals(
        "test.yaml: filter_chains[0].filters[0].typed_config.@type: unknown type"
            + " \"type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3"
            + ".HttpConnectionManagr\" (did you mean \"type.googleapis.com/envoy.extensions.filters"
            + ".network.http_connection_manager.v3.HttpConnectionManager\"?)",
        error(
            """
            filter_chains:
            - filters:
              - name: hcm
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManagr
            """,
            Listener.newBuilder()));
    assertEquals(
        "test.yaml: filter_chains[0].filters[0].typed_config: missing \"@type\"",
        error("filter_chains: [{filters: [{name: x, typed_config: {stat_prefix: a}}]}]",
            Listener.newBuilder()));
    // Errors inside an Any carry on the path.
    assertEquals(
        "test.yaml: filter_chains[0].filters[0].typed_config.http_filters[0].nme: unknown field"
            + " (did you mean \"name\"?)",
        error(
            """
            filter_chains:
            - filters:
              - name: hcm
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  http_filters:
                  - nme: router
            """,
            Listener.newBuilder()));
  }

  @Test
  void typedStructOfUnknownTypeIsKeptWithAWarning() throws Exception {
    TypedExtensionConfig.Builder b = TypedExtensionConfig.newBuilder();
    ParseNotes notes =
        EnvoyJson.parse(
            """
            name: custom
            typed_config:
              "@type": type.googleapis.com/xds.type.v3.TypedStruct
              type_url: type.googleapis.com/acme.filters.Custom
              value: {knob: 1}
            """,
            b,
            "ecds.yaml");
    Any any = b.getTypedConfig();
    assertTrue(TypedStructs.isTypedStruct(any));
    var ts = any.unpack(com.github.xds.type.v3.TypedStruct.class);
    assertEquals("type.googleapis.com/acme.filters.Custom", ts.getTypeUrl());
    assertEquals(1.0, ts.getValue().getFieldsOrThrow("knob").getNumberValue());
    assertEquals(
        List.of("ecds.yaml: typed_config: TypedStruct wraps unknown type"
            + " \"type.googleapis.com/acme.filters.Custom\"; kept as a TypedStruct"),
        notes.warnings());
  }

  @Test
  void typedStructContentIsCheckedAgainstTheWrappedType() {
    assertEquals(
        "ecds: typed_config.config.root_idd: unknown field (did you mean \"root_id\"?)",
        assertThrows(
                ConfigParseException.class,
                () ->
                    EnvoyJson.parse(
                        """
                        name: wasm
                        typed_config:
                          "@type": type.googleapis.com/udpa.type.v1.TypedStruct
                          type_url: type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
                          value: {config: {root_idd: x}}
                        """,
                        TypedExtensionConfig.newBuilder(),
                        "ecds"))
            .getMessage());
  }

  @Test
  void typedStructOutsideTypedConfigIsLeftAlone() throws Exception {
    // A Wasm plugin's configuration is handed to the plugin as it is, TypedStruct or not.
    Wasm.Builder b = Wasm.newBuilder();
    EnvoyJson.parse(
        """
        config:
          configuration:
            "@type": type.googleapis.com/udpa.type.v1.TypedStruct
            type_url: type.googleapis.com/google.protobuf.Struct
            value: {a: b}
        """,
        b,
        "wasm.yaml");
    assertTrue(TypedStructs.isTypedStruct(b.getConfig().getConfiguration()));
  }

  @Test
  void structValuesFollowEnvoysYamlConversion() throws Exception {
    // Envoy turns YAML floats into strings (proto parsing later reads them by field type); in a
    // Struct nothing reads them back, so they stay strings. Small integers stay numbers.
    Node.Builder b = Node.newBuilder();
    EnvoyJson.parse(
        "metadata: {ratio: 0.5, count: 3, big: 9999999999, flag: true, nothing: null, q: '7'}",
        b, "node.yaml");
    Struct m = b.getMetadata();
    assertEquals("0.5", m.getFieldsOrThrow("ratio").getStringValue());
    assertEquals(3.0, m.getFieldsOrThrow("count").getNumberValue());
    assertEquals("9999999999", m.getFieldsOrThrow("big").getStringValue());
    assertTrue(m.getFieldsOrThrow("flag").getBoolValue());
    assertTrue(m.getFieldsOrThrow("nothing").hasNullValue());
    assertEquals("7", m.getFieldsOrThrow("q").getStringValue());
  }

  @Test
  void nullMeansUnset() throws Exception {
    Cluster c = cluster("name: x\nconnect_timeout: null\nload_assignment:\n");
    assertEquals("x", c.getName());
    assertTrue(!c.hasConnectTimeout() && !c.hasLoadAssignment());
    assertEquals(
        "test.yaml: load_assignment.endpoints[0]: a list item cannot be null",
        error("load_assignment: {endpoints: [null]}", Cluster.newBuilder()));
  }

  @Test
  void deprecatedFieldsAreKeptAndReported() throws Exception {
    Cluster.Builder b = Cluster.newBuilder();
    ParseNotes notes = EnvoyJson.parse("max_requests_per_connection: 7", b, "c.yaml");
    assertEquals(7, b.getMaxRequestsPerConnection().getValue());
    assertEquals(
        List.of("c.yaml: max_requests_per_connection: using deprecated option"
            + " 'envoy.config.cluster.v3.Cluster.max_requests_per_connection' from file cluster.proto"),
        notes.deprecations());
  }

  @Test
  void strictJsonRejectsYamlIsms() {
    ConfigParseException e =
        assertThrows(
            ConfigParseException.class,
            () -> EnvoyJson.parseJson("{name: x}", Cluster.newBuilder(), "c.json", false));
    assertEquals("c.json: line 1: malformed JSON", e.getMessage());
  }
}
