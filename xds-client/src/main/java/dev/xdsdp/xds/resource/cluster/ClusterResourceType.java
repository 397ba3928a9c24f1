package dev.xdsdp.xds.resource.cluster;

import static dev.xdsdp.xds.resource.ProtoValues.duration;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.FieldPath;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.ProtoValues;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.resource.endpoint.EndpointResourceType;
import dev.xdsdp.xds.resource.endpoint.LoadAssignmentConfig;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Parses and validates {@code envoy.config.cluster.v3.Cluster}. */
public final class ClusterResourceType {

  public static final String TYPE_URL = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private static final Set<String> CLUSTER_FIELDS = Set.of(
      "name", "alt_stat_name", "type", "connect_timeout", "lb_policy", "load_assignment",
      "eds_cluster_config", "circuit_breakers", "typed_extension_protocol_options",
      "http2_protocol_options", "http_protocol_options", "common_http_protocol_options",
      "max_requests_per_connection", "dns_refresh_rate", "dns_failure_refresh_rate", "dns_lookup_family",
      "respect_dns_ttl", "per_connection_buffer_limit_bytes", "common_lb_config", "least_request_lb_config",
      "round_robin_lb_config", "metadata", "upstream_connection_options", "cleanup_interval",
      "ignore_health_on_host_removal", "transport_socket", "load_balancing_policy", "protocol_selection",
      "wait_for_warm_on_init", "track_cluster_stats");
  private static final Set<String> COMMON_HTTP_FIELDS = Set.of(
      "idle_timeout", "max_requests_per_connection", "max_connection_duration", "max_headers_count",
      "max_stream_duration", "headers_with_underscores_action");
  private static final Set<String> HTTP_OPTIONS_FIELDS = Set.of(
      "common_http_protocol_options", "explicit_http_config", "use_downstream_protocol_config",
      "auto_config", "upstream_http_protocol_options");

  private ClusterResourceType() {}

  public static ClusterConfig parse(Cluster c, ParseContext ctx) throws ResourceInvalidException {
    String resource = c.getName();
    ConfigIssues issues = ctx.issues();
    FieldPath root = FieldPath.ROOT;
    issues.checkFields(c, root, CLUSTER_FIELDS);
    if (c.getName().isEmpty()) {
      throw new ResourceInvalidException("(unnamed cluster)", "name: a cluster needs a name");
    }
    ClusterConfig.DiscoveryType type = switch (c.getClusterDiscoveryTypeCase()) {
      case TYPE -> switch (c.getType()) {
        case STATIC -> ClusterConfig.DiscoveryType.STATIC;
        case STRICT_DNS -> ClusterConfig.DiscoveryType.STRICT_DNS;
        case LOGICAL_DNS -> ClusterConfig.DiscoveryType.LOGICAL_DNS;
        case EDS -> ClusterConfig.DiscoveryType.EDS;
        case ORIGINAL_DST -> throw new ResourceInvalidException(resource,
            "type: ORIGINAL_DST clusters are not supported");
        default -> throw new ResourceInvalidException(resource, "type: unknown cluster type " + c.getTypeValue());
      };
      case CLUSTER_TYPE -> throw new ResourceInvalidException(resource, "cluster_type: custom cluster type '"
          + c.getClusterType().getName() + "' is not supported");
      case CLUSTERDISCOVERYTYPE_NOT_SET -> ClusterConfig.DiscoveryType.STATIC;
    };
    Duration connectTimeout = duration(c.hasConnectTimeout(), c.getConnectTimeout(), Duration.ofSeconds(5));
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new ResourceInvalidException(resource, "connect_timeout: must be greater than 0");
    }

    ClusterConfig.LbPolicy lb;
    int choiceCount = 2;
    if (c.hasLoadBalancingPolicy()) {
      lb = parseTypedLbPolicy(c.getLoadBalancingPolicy(), root.field("load_balancing_policy"), resource);
      choiceCount = typedLeastRequestChoiceCount(c.getLoadBalancingPolicy());
    } else {
      lb = switch (c.getLbPolicy()) {
        case ROUND_ROBIN -> ClusterConfig.LbPolicy.ROUND_ROBIN;
        case LEAST_REQUEST -> ClusterConfig.LbPolicy.LEAST_REQUEST;
        case RANDOM -> ClusterConfig.LbPolicy.RANDOM;
        default -> throw new ResourceInvalidException(resource, "lb_policy: " + c.getLbPolicy()
            + " is not supported (supported: ROUND_ROBIN, LEAST_REQUEST, RANDOM)");
      };
      if (c.hasLeastRequestLbConfig() && c.getLeastRequestLbConfig().hasChoiceCount()) {
        choiceCount = ProtoValues.uint32(c.getLeastRequestLbConfig().getChoiceCount().getValue());
      }
    }
    if (c.hasLeastRequestLbConfig()) {
      var lr = c.getLeastRequestLbConfig();
      if (lr.hasActiveRequestBias() || lr.hasSlowStartConfig()) {
        issues.unsupported(root.field("least_request_lb_config"), "only choice_count is supported");
      }
    }
    if (c.hasRoundRobinLbConfig() && c.getRoundRobinLbConfig().hasSlowStartConfig()) {
      issues.unsupported(root.field("round_robin_lb_config").field("slow_start_config"), "slow start is not supported");
    }
    if (choiceCount < 2) {
      throw new ResourceInvalidException(resource, "least_request_lb_config.choice_count: must be at least 2");
    }

    if (c.hasLoadAssignment() && c.getLoadAssignment().getClusterName().isEmpty()) {
      // Envoy's proto validation requires it even though the cluster's own name is known here.
      throw new ResourceInvalidException(resource, "load_assignment.cluster_name: value length must be at least 1 characters");
    }
    LoadAssignmentConfig assignment = null;
    String edsServiceName = null;
    boolean dns = type == ClusterConfig.DiscoveryType.STRICT_DNS || type == ClusterConfig.DiscoveryType.LOGICAL_DNS;
    if (type == ClusterConfig.DiscoveryType.EDS) {
      if (c.hasLoadAssignment()) {
        issues.unsupported(root.field("load_assignment"), "ignored for EDS clusters (endpoints come from EDS)");
      }
      edsServiceName = c.getEdsClusterConfig().getServiceName().isEmpty()
          ? c.getName()
          : c.getEdsClusterConfig().getServiceName();
    } else {
      assignment = EndpointResourceType.parse(c.getLoadAssignment(), issues, root.field("load_assignment"), resource, dns);
      if (type == ClusterConfig.DiscoveryType.LOGICAL_DNS && assignment.endpointCount() != 1) {
        throw new ResourceInvalidException(resource,
            "load_assignment: LOGICAL_DNS clusters must have a single locality_lb_endpoint and a single lb_endpoint");
      }
      if (c.hasEdsClusterConfig()) {
        issues.unsupported(root.field("eds_cluster_config"), "ignored: the cluster type is not EDS");
      }
    }

    CircuitBreakerThresholds thresholds = CircuitBreakerThresholds.DEFAULTS;
    if (c.hasCircuitBreakers()) {
      thresholds = parseThresholds(c.getCircuitBreakers(), issues, root.field("circuit_breakers"), resource);
    }

    // Upstream protocol: the typed HttpProtocolOptions wins over the deprecated cluster fields.
    ClusterConfig.UpstreamProtocol protocol = ClusterConfig.UpstreamProtocol.HTTP1;
    HttpProtocolOptions common = c.hasCommonHttpProtocolOptions() ? c.getCommonHttpProtocolOptions() : null;
    int maxConcurrentStreams = 2147483647;
    if (c.hasHttp2ProtocolOptions()) {
      protocol = ClusterConfig.UpstreamProtocol.HTTP2;
      if (c.getHttp2ProtocolOptions().hasMaxConcurrentStreams()) {
        maxConcurrentStreams = ProtoValues.uint32(c.getHttp2ProtocolOptions().getMaxConcurrentStreams().getValue());
      }
    }
    if (c.getProtocolSelection() == Cluster.ClusterProtocolSelection.USE_DOWNSTREAM_PROTOCOL) {
      protocol = ClusterConfig.UpstreamProtocol.USE_DOWNSTREAM;
    }
    for (Map.Entry<String, Any> e : c.getTypedExtensionProtocolOptionsMap().entrySet()) {
      FieldPath op = root.field("typed_extension_protocol_options").key(e.getKey());
      Any any = ctx.normalize(e.getValue());
      if (!any.getTypeUrl().endsWith("/" + HTTP_PROTOCOL_OPTIONS)) {
        throw new ResourceInvalidException(resource, op.prefix() + "Didn't find a registered network or http filter or protocol options implementation for name: '"
            + e.getKey() + "'");
      }
      io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions hpo;
      try {
        hpo = any.unpack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class);
      } catch (InvalidProtocolBufferException ex) {
        throw new ResourceInvalidException(resource, op.prefix() + "invalid HttpProtocolOptions: " + ex.getMessage());
      }
      issues.checkFields(hpo, op, HTTP_OPTIONS_FIELDS);
      if (hpo.hasCommonHttpProtocolOptions()) {
        common = hpo.getCommonHttpProtocolOptions();
      }
      switch (hpo.getUpstreamProtocolOptionsCase()) {
        case EXPLICIT_HTTP_CONFIG -> {
          var ex = hpo.getExplicitHttpConfig();
          if (ex.hasHttp2ProtocolOptions()) {
            protocol = ClusterConfig.UpstreamProtocol.HTTP2;
            if (ex.getHttp2ProtocolOptions().hasMaxConcurrentStreams()) {
              maxConcurrentStreams = ProtoValues.uint32(ex.getHttp2ProtocolOptions().getMaxConcurrentStreams().getValue());
            }
          } else if (ex.hasHttp3ProtocolOptions()) {
            throw new ResourceInvalidException(resource, op.field("explicit_http_config").prefix()
                + "HTTP/3 upstreams are not supported");
          } else {
            protocol = ClusterConfig.UpstreamProtocol.HTTP1;
          }
        }
        case USE_DOWNSTREAM_PROTOCOL_CONFIG -> protocol = ClusterConfig.UpstreamProtocol.USE_DOWNSTREAM;
        case AUTO_CONFIG -> {
          // ALPN needs TLS; over cleartext Envoy's auto config speaks HTTP/1.1.
          protocol = ClusterConfig.UpstreamProtocol.HTTP1;
          issues.unsupported(op.field("auto_config"), "ALPN protocol selection needs TLS; HTTP/1.1 is used");
        }
        case UPSTREAMPROTOCOLOPTIONS_NOT_SET -> throw new ResourceInvalidException(resource, op.prefix()
            + "one of explicit_http_config, use_downstream_protocol_config or auto_config is required");
      }
    }
    Duration idle = Duration.ofHours(1);
    int maxRequestsPerConnection = ProtoValues.uint32(c.hasMaxRequestsPerConnection(), c.getMaxRequestsPerConnection(), 0);
    if (common != null) {
      issues.checkFields(common, root.field("common_http_protocol_options"), COMMON_HTTP_FIELDS);
      if (common.hasIdleTimeout()) {
        idle = duration(common.getIdleTimeout());
      }
      if (common.hasMaxRequestsPerConnection()) {
        maxRequestsPerConnection = ProtoValues.uint32(common.getMaxRequestsPerConnection().getValue());
      }
    }

    if (c.hasTransportSocket()) {
      String tsType = c.getTransportSocket().getTypedConfig().getTypeUrl();
      if (!tsType.endsWith("envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer")
          && !c.getTransportSocket().getName().equals("envoy.transport_sockets.raw_buffer")) {
        throw new ResourceInvalidException(resource, "transport_socket: "
            + (tsType.isEmpty() ? c.getTransportSocket().getName() : tsType.substring(tsType.lastIndexOf('/') + 1))
            + " is not supported (only plaintext upstreams)");
      }
    }

    ClusterConfig.DnsLookupFamily family = switch (c.getDnsLookupFamily()) {
      case V4_ONLY -> ClusterConfig.DnsLookupFamily.V4_ONLY;
      case V6_ONLY -> ClusterConfig.DnsLookupFamily.V6_ONLY;
      case V4_PREFERRED -> ClusterConfig.DnsLookupFamily.V4_PREFERRED;
      case ALL -> ClusterConfig.DnsLookupFamily.ALL;
      default -> ClusterConfig.DnsLookupFamily.AUTO;
    };
    Duration dnsRefresh = duration(c.hasDnsRefreshRate(), c.getDnsRefreshRate(), Duration.ofSeconds(5));
    if (dns && dnsRefresh.toMillis() < 1) {
      throw new ResourceInvalidException(resource, "dns_refresh_rate: must be at least 1ms");
    }
    double panic = 50.0;
    if (c.hasCommonLbConfig()) {
      var clb = c.getCommonLbConfig();
      if (clb.hasHealthyPanicThreshold()) {
        panic = clb.getHealthyPanicThreshold().getValue();
      }
      issues.checkFields(clb, root.field("common_lb_config"), Set.of("healthy_panic_threshold"));
    }
    boolean keepalive = c.hasUpstreamConnectionOptions() && c.getUpstreamConnectionOptions().hasTcpKeepalive();
    return new ClusterConfig(
        c.getName(),
        c.getAltStatName().isEmpty() ? c.getName() : c.getAltStatName(),
        type, connectTimeout, lb, choiceCount, assignment, edsServiceName, thresholds, protocol,
        idle, maxRequestsPerConnection, maxConcurrentStreams, dnsRefresh, family, c.getRespectDnsTtl(),
        ProtoValues.uint32(c.hasPerConnectionBufferLimitBytes(), c.getPerConnectionBufferLimitBytes(), 1024 * 1024),
        panic, keepalive, c);
  }

  static CircuitBreakerThresholds parseThresholds(
      CircuitBreakers cb, ConfigIssues issues, FieldPath p, String resource) {
    CircuitBreakerThresholds t = CircuitBreakerThresholds.DEFAULTS;
    for (int i = 0; i < cb.getThresholdsCount(); i++) {
      var th = cb.getThresholds(i);
      FieldPath tp = p.field("thresholds").index(i);
      if (th.getPriority() != RoutingPriority.DEFAULT) {
        issues.unsupported(tp.field("priority"), "only DEFAULT priority thresholds are used");
        continue;
      }
      issues.checkFields(th, tp, Set.of("priority", "max_connections", "max_pending_requests", "max_requests",
          "max_retries", "track_remaining"));
      t = new CircuitBreakerThresholds(
          ProtoValues.uint32(th.hasMaxConnections(), th.getMaxConnections(), t.maxConnections()),
          ProtoValues.uint32(th.hasMaxPendingRequests(), th.getMaxPendingRequests(), t.maxPendingRequests()),
          ProtoValues.uint32(th.hasMaxRequests(), th.getMaxRequests(), t.maxRequests()),
          ProtoValues.uint32(th.hasMaxRetries(), th.getMaxRetries(), t.maxRetries()));
    }
    return t;
  }

  private static ClusterConfig.LbPolicy parseTypedLbPolicy(LoadBalancingPolicy policy, FieldPath p, String resource)
      throws ResourceInvalidException {
    for (int i = 0; i < policy.getPoliciesCount(); i++) {
      String url = policy.getPolicies(i).getTypedExtensionConfig().getTypedConfig().getTypeUrl();
      if (url.endsWith("envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin")) {
        return ClusterConfig.LbPolicy.ROUND_ROBIN;
      }
      if (url.endsWith("envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest")) {
        return ClusterConfig.LbPolicy.LEAST_REQUEST;
      }
      if (url.endsWith("envoy.extensions.load_balancing_policies.random.v3.Random")) {
        return ClusterConfig.LbPolicy.RANDOM;
      }
    }
    throw new ResourceInvalidException(resource, p.field("policies").prefix()
        + "none of the load balancing policies is supported (supported: round_robin, least_request, random)");
  }

  private static int typedLeastRequestChoiceCount(LoadBalancingPolicy policy) {
    for (var pol : policy.getPoliciesList()) {
      Any any = pol.getTypedExtensionConfig().getTypedConfig();
      if (any.getTypeUrl().endsWith("least_request.v3.LeastRequest")) {
        try {
          LeastRequest lr = any.unpack(LeastRequest.class);
          if (lr.hasChoiceCount()) {
            return ProtoValues.uint32(lr.getChoiceCount().getValue());
          }
        } catch (InvalidProtocolBufferException e) {
          return 2;
        }
      }
    }
    return 2;
  }
}
