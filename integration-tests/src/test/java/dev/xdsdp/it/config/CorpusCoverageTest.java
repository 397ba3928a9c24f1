package dev.xdsdp.it.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.xdsdp.dataplane.server.ConfigValidator;
import dev.xdsdp.xds.bootstrap.BootstrapLoader;
import dev.xdsdp.xds.bootstrap.EnvoyTypeRegistry;
import dev.xdsdp.xds.bootstrap.LoadedBootstrap;
import dev.xdsdp.xds.resource.cluster.ClusterResourceType;
import dev.xdsdp.xds.resource.endpoint.EndpointResourceType;
import dev.xdsdp.xds.resource.listener.ListenerResourceType;
import dev.xdsdp.xds.resource.route.RouteConfigurationResourceType;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The valid corpus covers what the static data plane supports: every field in the parsers'
 * supported-field lists (read from the parsers themselves, so a newly supported field needs a
 * corpus entry), every field of the matchers, redirects, header options and access log messages
 * the parsers read whole, and every non-default value of the enums that select behaviour.
 */
class CorpusCoverageTest {

  /** Fields set anywhere in the valid corpus, as {@code full.message.Name.field}. */
  private static final Set<String> USED_FIELDS = new TreeSet<>();

  /** Enum values set anywhere in the valid corpus, as {@code full.message.Name.field=VALUE}. */
  private static final Set<String> USED_ENUM_VALUES = new TreeSet<>();

  /**
   * Supported fields that a static bootstrap cannot show, or that are deliberately left out, each
   * with the reason.
   */
  private static final Map<String, String> NOT_IN_CORPUS = Map.ofEntries(
      Map.entry("envoy.config.cluster.v3.CircuitBreakers.Thresholds.priority",
          "DEFAULT, the one priority used, is the zero value: writing it does not set the field"),
      Map.entry("envoy.config.core.v3.Http2ProtocolOptions.allow_connect",
          "false is the zero value; true is reported as unsupported"),
      Map.entry("envoy.config.route.v3.RouteAction.priority",
          "DEFAULT is the zero value, and HIGH priority thresholds are not used"),
      Map.entry("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.rds",
          "route tables from RDS need a control plane"),
      Map.entry("envoy.config.cluster.v3.Cluster.eds_cluster_config",
          "EDS clusters need a control plane"),
      Map.entry("envoy.config.route.v3.RouteMatch.connect_matcher",
          "CONNECT requests need upgrade support"),
      Map.entry("envoy.config.route.v3.Route.non_forwarding_action",
          "meant for gRPC servers, not for Envoy's router"),
      Map.entry("envoy.config.route.v3.RouteConfiguration.typed_per_filter_config",
          "no built-in HTTP filter has a per-route config yet"),
      Map.entry("envoy.config.route.v3.VirtualHost.typed_per_filter_config",
          "no built-in HTTP filter has a per-route config yet"),
      Map.entry("envoy.config.route.v3.Route.typed_per_filter_config",
          "no built-in HTTP filter has a per-route config yet"),
      Map.entry("envoy.config.route.v3.WeightedCluster.ClusterWeight.typed_per_filter_config",
          "no built-in HTTP filter has a per-route config yet"));


  @BeforeAll
  static void collect() throws Exception {
    for (Path config : Corpus.configs("valid")) {
      LoadedBootstrap loaded = BootstrapLoader.load(config, null, false);
      // No repeated keys or TypedStructs of unknown types: the corpus says what it means.
      assertEquals(List.of(), loaded.warnings(), () -> Corpus.name(config));
      walk(loaded.bootstrap());
    }
  }

  @Test
  void everySupportedFieldIsSetSomewhereInTheValidCorpus() throws Exception {
    List<String> missing = new ArrayList<>();
    for (String field : supportedFields()) {
      if (!USED_FIELDS.contains(field) && !NOT_IN_CORPUS.containsKey(field)) {
        missing.add(field);
      }
    }
    assertEquals(List.of(), missing, "supported fields no valid/ config sets");
    for (String exempt : NOT_IN_CORPUS.keySet()) {
      assertNotNull(field(exempt), () -> "no such field: " + exempt);
    }
  }

  @Test
  void everyBehaviourSelectingEnumValueAppearsInTheValidCorpus() {
    List<String> wanted = List.of(
        "envoy.config.cluster.v3.Cluster.type=STRICT_DNS",
        "envoy.config.cluster.v3.Cluster.type=LOGICAL_DNS",
        "envoy.config.cluster.v3.Cluster.lb_policy=LEAST_REQUEST",
        "envoy.config.cluster.v3.Cluster.lb_policy=RANDOM",
        "envoy.config.cluster.v3.Cluster.dns_lookup_family=V4_ONLY",
        "envoy.config.cluster.v3.Cluster.dns_lookup_family=V6_ONLY",
        "envoy.config.cluster.v3.Cluster.dns_lookup_family=V4_PREFERRED",
        "envoy.config.cluster.v3.Cluster.dns_lookup_family=ALL",
        "envoy.config.cluster.v3.Cluster.protocol_selection=USE_DOWNSTREAM_PROTOCOL",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.codec_type=HTTP1",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.codec_type=HTTP2",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
            + ".server_header_transformation=APPEND_IF_ABSENT",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
            + ".server_header_transformation=PASS_THROUGH",
        "envoy.config.core.v3.HeaderValueOption.append_action=ADD_IF_ABSENT",
        "envoy.config.core.v3.HeaderValueOption.append_action=OVERWRITE_IF_EXISTS_OR_ADD",
        "envoy.config.core.v3.HeaderValueOption.append_action=OVERWRITE_IF_EXISTS",
        "envoy.config.route.v3.RedirectAction.response_code=FOUND",
        "envoy.config.route.v3.RedirectAction.response_code=SEE_OTHER",
        "envoy.config.route.v3.RedirectAction.response_code=TEMPORARY_REDIRECT",
        "envoy.config.route.v3.RedirectAction.response_code=PERMANENT_REDIRECT",
        "envoy.config.route.v3.RouteAction.cluster_not_found_response_code=NOT_FOUND",
        "envoy.config.route.v3.RouteAction.cluster_not_found_response_code=INTERNAL_SERVER_ERROR",
        "envoy.config.listener.v3.FilterChainMatch.source_type=SAME_IP_OR_LOOPBACK",
        "envoy.config.listener.v3.FilterChainMatch.source_type=EXTERNAL",
        "envoy.config.core.v3.HealthStatus=UNHEALTHY|DRAINING|TIMEOUT",
        "envoy.config.core.v3.HealthStatus=DEGRADED",
        "envoy.type.v3.FractionalPercent.denominator=TEN_THOUSAND",
        "envoy.config.accesslog.v3.ComparisonFilter.op=GE",
        "envoy.config.accesslog.v3.ComparisonFilter.op=LE");
    List<String> missing = new ArrayList<>();
    for (String w : wanted) {
      if (w.startsWith("envoy.config.core.v3.HealthStatus=")) {
        // Any field of this enum type counts: lb_endpoints[].health_status.
        Set<String> alternatives = Set.of(w.substring(w.indexOf('=') + 1).split("\\|"));
        boolean found = USED_ENUM_VALUES.stream().anyMatch(u -> u.startsWith("envoy.config.endpoint.v3.LbEndpoint.health_status=")
            && alternatives.contains(u.substring(u.indexOf('=') + 1)));
        if (!found) {
          missing.add(w);
        }
      } else if (!USED_ENUM_VALUES.contains(w)) {
        missing.add(w);
      }
    }
    assertEquals(List.of(), missing, "enum values no valid/ config uses");
  }

  /** Every field the parsers support, from their own lists and from the messages they read whole. */
  private static Set<String> supportedFields() throws Exception {
    Set<String> out = new TreeSet<>();
    listed(out, ConfigValidator.class, "BOOTSTRAP_FIELDS", Bootstrap.getDescriptor());
    listed(out, ListenerResourceType.class, "LISTENER_FIELDS", Listener.getDescriptor());
    listed(out, ListenerResourceType.class, "CHAIN_FIELDS", FilterChain.getDescriptor());
    listed(out, ListenerResourceType.class, "HCM_FIELDS", HttpConnectionManager.getDescriptor());
    listed(out, ListenerResourceType.class, "TCP_PROXY_FIELDS",
        io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.getDescriptor());
    listed(out, ListenerResourceType.class, "HTTP1_FIELDS", Http1ProtocolOptions.getDescriptor());
    listed(out, ListenerResourceType.class, "HTTP2_FIELDS", Http2ProtocolOptions.getDescriptor());
    listed(out, ListenerResourceType.class, "COMMON_HTTP_FIELDS", HttpProtocolOptions.getDescriptor());
    listed(out, RouteConfigurationResourceType.class, "ROUTE_CONFIG_FIELDS", RouteConfiguration.getDescriptor());
    listed(out, RouteConfigurationResourceType.class, "VHOST_FIELDS", VirtualHost.getDescriptor());
    listed(out, RouteConfigurationResourceType.class, "ROUTE_FIELDS", Route.getDescriptor());
    listed(out, RouteConfigurationResourceType.class, "MATCH_FIELDS", RouteMatch.getDescriptor());
    listed(out, RouteConfigurationResourceType.class, "ACTION_FIELDS", RouteAction.getDescriptor());
    listed(out, RouteConfigurationResourceType.class, "RETRY_FIELDS", RetryPolicy.getDescriptor());
    listed(out, ClusterResourceType.class, "CLUSTER_FIELDS", Cluster.getDescriptor());
    listed(out, ClusterResourceType.class, "COMMON_HTTP_FIELDS", HttpProtocolOptions.getDescriptor());
    listed(out, ClusterResourceType.class, "HTTP_OPTIONS_FIELDS",
        io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor());
    listed(out, EndpointResourceType.class, "CLA_FIELDS", ClusterLoadAssignment.getDescriptor());
    listed(out, EndpointResourceType.class, "POLICY_FIELDS", ClusterLoadAssignment.Policy.getDescriptor());
    listed(out, EndpointResourceType.class, "LOCALITY_FIELDS", LocalityLbEndpoints.getDescriptor());
    listed(out, EndpointResourceType.class, "LB_ENDPOINT_FIELDS", LbEndpoint.getDescriptor());
    listed(out, EndpointResourceType.class, "ENDPOINT_FIELDS", Endpoint.getDescriptor());
    // Handled fields that are reported as unsupported, not honoured.
    out.removeAll(Set.of(
        "envoy.config.listener.v3.Listener.listener_filters",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.upgrade_configs",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.scoped_routes",
        "envoy.config.route.v3.RouteAction.upgrade_configs",
        "envoy.config.endpoint.v3.ClusterLoadAssignment.Policy.drop_overloads",
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions.auto_config"));

    allFields(out, HeaderMatcher.getDescriptor());
    allFields(out, StringMatcher.getDescriptor(), "custom");
    allFields(out, QueryParameterMatcher.getDescriptor());
    allFields(out, RedirectAction.getDescriptor());
    allFields(out, WeightedCluster.getDescriptor(), "runtime_key_prefix");
    allFields(out, WeightedCluster.ClusterWeight.getDescriptor(), "cluster_header", "metadata_match",
        "typed_per_filter_config");
    allFields(out, io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.getDescriptor());
    allFields(out, io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.ClusterWeight
        .getDescriptor(), "metadata_match");
    allFields(out, HeaderValueOption.getDescriptor());
    allFields(out, HeaderValue.getDescriptor());
    allFields(out, DataSource.getDescriptor(), "environment_variable", "watched_directory");
    allFields(out, CircuitBreakers.Thresholds.getDescriptor(), "retry_budget", "max_connection_pools");
    allFields(out, FilterChainMatch.getDescriptor(), "server_names", "application_protocols", "address_suffix",
        "suffix_len");
    allFields(out, FileAccessLog.getDescriptor());
    allFields(out, SubstitutionFormatString.getDescriptor(), "content_type", "formatters", "json_format_options");
    allFields(out, AccessLogFilter.getDescriptor(), "extension_filter");
    return out;
  }

  /** The {@code Set<String>} constant {@code constant} of {@code owner}: proto field names of {@code type}. */
  @SuppressWarnings("unchecked")
  private static void listed(Set<String> out, Class<?> owner, String constant, Descriptor type) throws Exception {
    Field f = owner.getDeclaredField(constant);
    f.setAccessible(true);
    for (String name : (Set<String>) f.get(null)) {
      FieldDescriptor fd = type.findFieldByName(name);
      assertNotNull(fd, () -> owner.getSimpleName() + "." + constant + " lists '" + name + "', which "
          + type.getFullName() + " does not have");
      out.add(type.getFullName() + "." + name);
    }
  }

  private static void allFields(Set<String> out, Descriptor type, String... except) {
    Set<String> skip = Set.of(except);
    for (FieldDescriptor f : type.getFields()) {
      if (!skip.contains(f.getName())) {
        assertNotNull(type.findFieldByName(f.getName()));
        out.add(type.getFullName() + "." + f.getName());
      }
    }
    for (String s : skip) {
      assertNotNull(type.findFieldByName(s), () -> type.getFullName() + " has no field " + s);
    }
  }

  private static FieldDescriptor field(String fullName) {
    int dot = fullName.lastIndexOf('.');
    return EnvoyTypeRegistry.get().find(fullName.substring(0, dot))
        .map(d -> d.findFieldByName(fullName.substring(dot + 1)))
        .orElse(null);
  }

  /** Records every set field of {@code m} and below, looking into Any values by their type URL. */
  private static void walk(Message m) throws InvalidProtocolBufferException {
    Descriptor d = m.getDescriptorForType();
    if (d.getFullName().equals("google.protobuf.Any")) {
      // Inside a DynamicMessage an Any is dynamic too: read its two fields by name.
      String typeUrl = (String) m.getField(d.findFieldByName("type_url"));
      Descriptor type = EnvoyTypeRegistry.get().find(typeUrl).orElse(null);
      if (type != null) {
        walk(DynamicMessage.parseFrom(type, (com.google.protobuf.ByteString) m.getField(d.findFieldByName("value"))));
      }
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      String name = d.getFullName() + "." + f.getName();
      USED_FIELDS.add(name);
      List<?> values = f.isRepeated() ? (List<?>) e.getValue() : List.of(e.getValue());
      for (Object v : values) {
        switch (v) {
          case Message child -> walk(child);
          case EnumValueDescriptor ev -> USED_ENUM_VALUES.add(name + "=" + ev.getName());
          default -> { }
        }
      }
    }
  }
}
