package dev.xdsdp.xds.resource.listener;

import static dev.xdsdp.xds.resource.ProtoValues.duration;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.xdsdp.api.accesslog.AccessLogger;
import dev.xdsdp.api.accesslog.AccessLoggerFactory;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.api.filter.HttpFilterFactory;
import dev.xdsdp.api.network.NetworkFilterConfigFactory;
import dev.xdsdp.xds.resource.CidrRange;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.FieldPath;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.ProtoValues;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.resource.SocketAddressConfig;
import dev.xdsdp.xds.resource.route.RouteConfigurationResourceType;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Parses and validates {@code envoy.config.listener.v3.Listener} (with its HTTP connection managers). */
public final class ListenerResourceType {

  public static final String TYPE_URL = "type.googleapis.com/envoy.config.listener.v3.Listener";
  public static final String HCM_TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  public static final String HCM_NAME = "envoy.filters.network.http_connection_manager";
  public static final String TCP_PROXY_TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
  public static final String TCP_PROXY_NAME = "envoy.filters.network.tcp_proxy";

  // Fields with their own, more specific report (listener_filters, upgrade_configs, scoped_routes)
  // are listed as handled so that each problem is reported once.
  private static final Set<String> LISTENER_FIELDS = Set.of(
      "name", "address", "stat_prefix", "filter_chains", "default_filter_chain", "per_connection_buffer_limit_bytes",
      "metadata", "drain_type", "traffic_direction", "bind_to_port", "enable_reuse_port", "listener_filters_timeout",
      "continue_on_listener_filters_timeout", "tcp_backlog_size", "socket_options", "ignore_global_conn_limit",
      "listener_filters");
  private static final Set<String> CHAIN_FIELDS = Set.of(
      "filter_chain_match", "filters", "name", "metadata", "transport_socket", "transport_socket_connect_timeout");
  private static final Set<String> HCM_FIELDS = Set.of(
      "stat_prefix", "codec_type", "route_config", "rds", "http_filters", "access_log", "server_name",
      "server_header_transformation", "use_remote_address", "xff_num_trusted_hops", "skip_xff_append", "via",
      "generate_request_id", "preserve_external_request_id", "always_set_request_id_in_response",
      "internal_address_config", "stream_idle_timeout", "request_timeout", "request_headers_timeout",
      "drain_timeout", "delayed_close_timeout", "common_http_protocol_options", "http_protocol_options",
      "http2_protocol_options", "max_request_headers_kb", "normalize_path", "merge_slashes",
      "strip_matching_host_port", "strip_any_host_port", "proxy_100_continue", "forward_client_cert_details",
      "set_current_client_cert_details", "path_with_escaped_slashes_action", "request_id_extension",
      "add_user_agent", "stream_error_on_invalid_http_message", "upgrade_configs", "scoped_routes");
  private static final Set<String> TCP_PROXY_FIELDS = Set.of(
      "stat_prefix", "cluster", "weighted_clusters", "idle_timeout", "access_log", "max_connect_attempts",
      "max_downstream_connection_duration");
  private static final Set<String> HTTP1_FIELDS = Set.of("accept_http_10", "default_host_for_http_10", "allow_absolute_url");
  private static final Set<String> HTTP2_FIELDS = Set.of(
      "max_concurrent_streams", "initial_stream_window_size", "initial_connection_window_size", "allow_connect",
      "hpack_table_size", "connection_keepalive");
  private static final Set<String> COMMON_HTTP_FIELDS = Set.of(
      "idle_timeout", "max_stream_duration", "max_headers_count", "headers_with_underscores_action",
      "max_connection_duration");

  private ListenerResourceType() {}

  public static ListenerConfig parse(Listener l, ParseContext ctx) throws ResourceInvalidException {
    return parse(l, ctx, l.getName());
  }

  /** Parses {@code l}, naming it {@code name} in errors (static listeners may be unnamed). */
  public static ListenerConfig parse(Listener l, ParseContext ctx, String name) throws ResourceInvalidException {
    ConfigIssues issues = ctx.issues();
    FieldPath root = FieldPath.ROOT;
    issues.checkFields(l, root, LISTENER_FIELDS);
    for (int i = 0; i < l.getListenerFiltersCount(); i++) {
      issues.unsupported(root.field("listener_filters").index(i),
          "listener filter " + l.getListenerFilters(i).getName() + " is not supported and is skipped");
    }
    if (!l.hasAddress()) {
      throw new ResourceInvalidException(name, "address: a listener needs an address");
    }
    SocketAddressConfig address = SocketAddressConfig.parse(l.getAddress(), root.field("address"), name, true);
    if (!address.isPipe() && !dev.xdsdp.xds.resource.endpoint.EndpointResourceType.isIpLiteral(address.host())) {
      throw new ResourceInvalidException(name, "address.socket_address.address: malformed IP address: " + address.host());
    }
    String statPrefix = l.getStatPrefix().isEmpty() ? address.statName() : l.getStatPrefix();
    if (l.getFilterChainsCount() == 0 && !l.hasDefaultFilterChain()) {
      throw new ResourceInvalidException(name, "filter_chains: no filter chains specified");
    }
    List<FilterChainConfig> chains = new ArrayList<>();
    Set<FilterChainMatch> seen = new HashSet<>();
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      FilterChain fc = l.getFilterChains(i);
      FieldPath p = root.field("filter_chains").index(i);
      if (!seen.add(fc.getFilterChainMatch())) {
        throw new ResourceInvalidException(name, p.field("filter_chain_match").prefix()
            + "multiple filter chains with the same matching rules are defined");
      }
      chains.add(parseFilterChain(fc, ctx, p, name));
    }
    FilterChainConfig defaultChain = l.hasDefaultFilterChain()
        ? parseFilterChain(l.getDefaultFilterChain(), ctx, root.field("default_filter_chain"), name)
        : null;
    checkOneKind(chains, defaultChain, name);
    return new ListenerConfig(
        name, address, statPrefix, chains, defaultChain, l.getTrafficDirection().name(),
        ProtoValues.uint32(l.hasPerConnectionBufferLimitBytes(), l.getPerConnectionBufferLimitBytes(), 1024 * 1024),
        !l.hasBindToPort() || l.getBindToPort().getValue(), l);
  }

  /**
   * Envoy lets one listener mix HTTP and TCP chains; here an HTTP listener is a Vert.x HTTP server
   * and a TCP one a raw socket server, chosen per listener, so every chain must end the same way.
   */
  private static void checkOneKind(List<FilterChainConfig> chains, FilterChainConfig defaultChain, String resource)
      throws ResourceInvalidException {
    List<FilterChainConfig> all = new ArrayList<>(chains);
    if (defaultChain != null) {
      all.add(defaultChain);
    }
    FilterChainConfig first = all.getFirst();
    for (int i = 1; i < all.size(); i++) {
      FilterChainConfig fc = all.get(i);
      if (fc.isHttp() != first.isHttp()) {
        FieldPath where = i < chains.size() ? FieldPath.ROOT.field("filter_chains").index(i)
            : FieldPath.ROOT.field("default_filter_chain");
        throw new ResourceInvalidException(resource, where.prefix() + "this chain ends in "
            + (fc.isHttp() ? HCM_NAME : TCP_PROXY_NAME) + " but filter_chains[0] ends in "
            + (first.isHttp() ? HCM_NAME : TCP_PROXY_NAME) + ": a listener mixing HTTP and TCP proxy filter chains"
            + " is not supported; use one listener for each");
      }
    }
  }

  static FilterChainConfig parseFilterChain(FilterChain fc, ParseContext ctx, FieldPath p, String resource)
      throws ResourceInvalidException {
    ctx.issues().checkFields(fc, p, CHAIN_FIELDS);
    if (fc.hasTransportSocket()) {
      String t = fc.getTransportSocket().getTypedConfig().getTypeUrl();
      if (!t.endsWith("raw_buffer.v3.RawBuffer") && !fc.getTransportSocket().getName().endsWith("raw_buffer")) {
        throw new ResourceInvalidException(resource, p.field("transport_socket").prefix()
            + (t.isEmpty() ? fc.getTransportSocket().getName() : t.substring(t.lastIndexOf('/') + 1))
            + " is not supported (only plaintext listeners)");
      }
    }
    FilterChainMatchConfig match = parseMatch(fc.getFilterChainMatch(), ctx, p.field("filter_chain_match"), resource);
    if (fc.getFiltersCount() == 0) {
      throw new ResourceInvalidException(resource, p.field("filters").prefix() + "a filter chain needs at least one network filter");
    }
    HcmConfig hcm = null;
    TcpProxyConfig tcpProxy = null;
    List<NetworkFilterConfig> networkFilters = new ArrayList<>();
    for (int i = 0; i < fc.getFiltersCount(); i++) {
      Filter f = fc.getFilters(i);
      FieldPath fp = p.field("filters").index(i);
      boolean last = i == fc.getFiltersCount() - 1;
      if (f.hasConfigDiscovery()) {
        throw new ResourceInvalidException(resource, fp.field("config_discovery").prefix()
            + "network filter configs from ECDS are not supported");
      }
      Any any = f.hasTypedConfig() ? ctx.normalize(f.getTypedConfig()) : null;
      boolean isHcm = any != null ? any.getTypeUrl().equals(HCM_TYPE_URL) : f.getName().equals(HCM_NAME);
      boolean isTcp = any != null ? any.getTypeUrl().equals(TCP_PROXY_TYPE_URL) : f.getName().equals(TCP_PROXY_NAME);
      if (isHcm || isTcp) {
        if (!last) {
          throw new ResourceInvalidException(resource, fp.prefix() + "Error: terminal filter named " + f.getName()
              + " of type " + (isHcm ? HCM_NAME : TCP_PROXY_NAME) + " must be the last filter in a network filter chain.");
        }
        if (isHcm) {
          if (!networkFilters.isEmpty()) {
            throw new ResourceInvalidException(resource, p.field("filters").index(0).prefix() + "network filter "
                + networkFilters.getFirst().name() + " in front of " + HCM_NAME + " is not supported: this data plane"
                + " parses HTTP before any network filter could see the bytes (network filters work in front of "
                + TCP_PROXY_NAME + ")");
          }
          HttpConnectionManager proto;
          try {
            proto = any == null ? HttpConnectionManager.getDefaultInstance() : any.unpack(HttpConnectionManager.class);
          } catch (InvalidProtocolBufferException e) {
            throw new ResourceInvalidException(resource, fp.field("typed_config").prefix() + e.getMessage());
          }
          hcm = parseHcm(proto, ctx, fp.field("typed_config"), resource);
        } else {
          TcpProxy proto;
          try {
            proto = any == null ? TcpProxy.getDefaultInstance() : any.unpack(TcpProxy.class);
          } catch (InvalidProtocolBufferException e) {
            throw new ResourceInvalidException(resource, fp.field("typed_config").prefix() + e.getMessage());
          }
          tcpProxy = parseTcpProxy(proto, ctx, fp.field("typed_config"), resource);
        }
        continue;
      }
      NetworkFilterConfigFactory factory = any != null
          ? ctx.registry().networkFilterByTypeUrl(any.getTypeUrl()).orElse(null)
          : ctx.registry().networkFilterByName(f.getName()).orElse(null);
      if (factory == null) {
        String type = any == null ? "" : any.getTypeUrl().substring(any.getTypeUrl().lastIndexOf('/') + 1);
        List<String> supported = new ArrayList<>(List.of(HCM_NAME, TCP_PROXY_NAME));
        supported.addAll(ctx.registry().networkFilterNames());
        throw new ResourceInvalidException(resource, fp.prefix() + "Didn't find a registered implementation for '"
            + f.getName() + "' with type URL: '" + type + "' (supported network filters: "
            + String.join(", ", supported) + ")");
      }
      if (last) {
        throw new ResourceInvalidException(resource, fp.prefix() + "Error: non-terminal filter named " + f.getName()
            + " of type " + factory.name() + " is the last filter in a network filter chain.");
      }
      Any config = any != null ? any
          : Any.newBuilder().setTypeUrl(factory.configTypeUrls().iterator().next()).build();
      FactoryContext fctx = ctx.factoryContext(resource, ctx.statsRoot());
      try {
        networkFilters.add(new NetworkFilterConfig(f.getName(), config.getTypeUrl(),
            factory.createFilterFactory(config, fctx)));
      } catch (FilterConfigException e) {
        throw new ResourceInvalidException(resource, fp.field("typed_config").prefix() + e.getMessage(), e);
      }
    }
    return new FilterChainConfig(fc.getName(), match, networkFilters, hcm, tcpProxy);
  }

  /** Parses a TCP proxy config found at {@code p} inside {@code resource}. */
  public static TcpProxyConfig parseTcpProxy(TcpProxy t, ParseContext ctx, FieldPath p, String resource)
      throws ResourceInvalidException {
    ctx.issues().checkFields(t, p, TCP_PROXY_FIELDS);
    if (t.getStatPrefix().isEmpty()) {
      throw new ResourceInvalidException(resource, p.field("stat_prefix").prefix() + "must not be empty");
    }
    String cluster = null;
    List<TcpProxyConfig.ClusterWeight> weights = new ArrayList<>();
    switch (t.getClusterSpecifierCase()) {
      case CLUSTER -> {
        cluster = t.getCluster();
        if (cluster.isEmpty()) {
          throw new ResourceInvalidException(resource, p.field("cluster").prefix() + "must not be empty");
        }
      }
      case WEIGHTED_CLUSTERS -> {
        FieldPath wp = p.field("weighted_clusters").field("clusters");
        var list = t.getWeightedClusters().getClustersList();
        if (list.isEmpty()) {
          throw new ResourceInvalidException(resource, wp.prefix() + "must have at least 1 item");
        }
        for (int i = 0; i < list.size(); i++) {
          var cw = list.get(i);
          if (cw.getName().isEmpty()) {
            throw new ResourceInvalidException(resource, wp.index(i).field("name").prefix() + "must not be empty");
          }
          if (cw.getWeight() < 1) {
            throw new ResourceInvalidException(resource, wp.index(i).field("weight").prefix() + "must be at least 1");
          }
          if (cw.hasMetadataMatch()) {
            ctx.issues().unsupported(wp.index(i).field("metadata_match"), "subset load balancing is not supported");
          }
          weights.add(new TcpProxyConfig.ClusterWeight(cw.getName(), ProtoValues.uint32(cw.getWeight())));
        }
      }
      case CLUSTERSPECIFIER_NOT_SET -> throw new ResourceInvalidException(resource, p.prefix()
          + "a TCP proxy needs cluster or weighted_clusters");
    }
    int attempts = ProtoValues.uint32(t.hasMaxConnectAttempts(), t.getMaxConnectAttempts(), 1);
    if (attempts < 1) {
      throw new ResourceInvalidException(resource, p.field("max_connect_attempts").prefix() + "must be at least 1");
    }
    var statsScope = ctx.statsRoot().scope("tcp").scope(t.getStatPrefix());
    FactoryContext fctx = ctx.factoryContext(resource, statsScope);
    List<AccessLogger> accessLogs = parseAccessLogs(t.getAccessLogList(), ctx, fctx, p.field("access_log"), resource);
    return new TcpProxyConfig(t.getStatPrefix(), cluster, weights,
        duration(t.hasIdleTimeout(), t.getIdleTimeout(), Duration.ofHours(1)), accessLogs, attempts,
        duration(t.hasMaxDownstreamConnectionDuration(), t.getMaxDownstreamConnectionDuration(), Duration.ZERO));
  }

  static FilterChainMatchConfig parseMatch(FilterChainMatch m, ParseContext ctx, FieldPath p, String resource)
      throws ResourceInvalidException {
    if (m.equals(FilterChainMatch.getDefaultInstance())) {
      return FilterChainMatchConfig.ANY;
    }
    if (!m.getAddressSuffix().isEmpty() || m.hasSuffixLen()) {
      ctx.issues().unsupported(p.field("address_suffix"), "address_suffix / suffix_len are not supported");
    }
    return new FilterChainMatchConfig(
        m.hasDestinationPort() ? m.getDestinationPort().getValue() : 0,
        cidrs(m.getPrefixRangesList(), p.field("prefix_ranges"), resource),
        m.getServerNamesList(),
        m.getTransportProtocol(),
        m.getApplicationProtocolsList(),
        cidrs(m.getDirectSourcePrefixRangesList(), p.field("direct_source_prefix_ranges"), resource),
        switch (m.getSourceType()) {
          case SAME_IP_OR_LOOPBACK -> FilterChainMatchConfig.SourceType.SAME_IP_OR_LOOPBACK;
          case EXTERNAL -> FilterChainMatchConfig.SourceType.EXTERNAL;
          default -> FilterChainMatchConfig.SourceType.ANY;
        },
        cidrs(m.getSourcePrefixRangesList(), p.field("source_prefix_ranges"), resource),
        m.getSourcePortsList());
  }

  static List<CidrRange> cidrs(List<io.envoyproxy.envoy.config.core.v3.CidrRange> protos, FieldPath p, String resource)
      throws ResourceInvalidException {
    List<CidrRange> out = new ArrayList<>(protos.size());
    for (int i = 0; i < protos.size(); i++) {
      out.add(CidrRange.parse(protos.get(i), p.index(i), resource));
    }
    return out;
  }

  /** Parses an HTTP connection manager config found at {@code p} inside {@code resource}. */
  public static HcmConfig parseHcm(HttpConnectionManager h, ParseContext ctx, FieldPath p, String resource)
      throws ResourceInvalidException {
    ConfigIssues issues = ctx.issues();
    issues.checkFields(h, p, HCM_FIELDS);
    if (h.getStatPrefix().isEmpty()) {
      throw new ResourceInvalidException(resource, p.field("stat_prefix").prefix() + "must not be empty");
    }
    HcmConfig.CodecType codec = switch (h.getCodecType()) {
      case HTTP1 -> HcmConfig.CodecType.HTTP1;
      case HTTP2 -> HcmConfig.CodecType.HTTP2;
      case HTTP3 -> throw new ResourceInvalidException(resource, p.field("codec_type").prefix() + "HTTP/3 is not supported");
      default -> HcmConfig.CodecType.AUTO;
    };
    RouteTableConfig routeTable = null;
    String rdsName = null;
    switch (h.getRouteSpecifierCase()) {
      case ROUTE_CONFIG -> routeTable = RouteConfigurationResourceType.parse(h.getRouteConfig(), ctx, p.field("route_config"), resource);
      case RDS -> {
        rdsName = h.getRds().getRouteConfigName();
        if (rdsName.isEmpty()) {
          throw new ResourceInvalidException(resource, p.field("rds").field("route_config_name").prefix() + "must not be empty");
        }
      }
      case SCOPED_ROUTES -> throw new ResourceInvalidException(resource, p.field("scoped_routes").prefix() + "scoped routes are not supported");
      case ROUTESPECIFIER_NOT_SET -> throw new ResourceInvalidException(resource, p.prefix()
          + "an HTTP connection manager needs route_config or rds");
    }

    var statsScope = ctx.statsRoot().scope("http").scope(h.getStatPrefix());
    FactoryContext fctx = ctx.factoryContext(resource, statsScope);
    List<HttpFilterConfig> filters = parseHttpFilters(h.getHttpFiltersList(), ctx, fctx, p.field("http_filters"), resource);
    List<AccessLogger> accessLogs = parseAccessLogs(h.getAccessLogList(), ctx, fctx, p.field("access_log"), resource);

    List<CidrRange> internal = null;
    if (h.hasInternalAddressConfig() && h.getInternalAddressConfig().getCidrRangesCount() > 0) {
      // As in Envoy, no cidr_ranges keeps the default internal ranges.
      var iac = h.getInternalAddressConfig();
      internal = cidrs(iac.getCidrRangesList(), p.field("internal_address_config").field("cidr_ranges"), resource);
    }
    Duration idle = Duration.ofHours(1);
    Duration maxStream = Duration.ZERO;
    int maxHeaders = 100;
    if (h.hasCommonHttpProtocolOptions()) {
      var c = h.getCommonHttpProtocolOptions();
      issues.checkFields(c, p.field("common_http_protocol_options"), COMMON_HTTP_FIELDS);
      idle = duration(c.hasIdleTimeout(), c.getIdleTimeout(), idle);
      maxStream = duration(c.hasMaxStreamDuration(), c.getMaxStreamDuration(), maxStream);
      maxHeaders = ProtoValues.uint32(c.hasMaxHeadersCount(), c.getMaxHeadersCount(), maxHeaders);
    }
    boolean acceptHttp10 = false;
    String defaultHost10 = "";
    if (h.hasHttpProtocolOptions()) {
      issues.checkFields(h.getHttpProtocolOptions(), p.field("http_protocol_options"), HTTP1_FIELDS);
      acceptHttp10 = h.getHttpProtocolOptions().getAcceptHttp10();
      defaultHost10 = h.getHttpProtocolOptions().getDefaultHostForHttp10();
    }
    int h2Streams = 2147483647;
    if (h.hasHttp2ProtocolOptions()) {
      issues.checkFields(h.getHttp2ProtocolOptions(), p.field("http2_protocol_options"), HTTP2_FIELDS);
      if (h.getHttp2ProtocolOptions().getAllowConnect()) {
        issues.unsupported(p.field("http2_protocol_options").field("allow_connect"),
            "extended CONNECT (RFC 8441) is not supported");
      }
      if (h.getHttp2ProtocolOptions().hasMaxConcurrentStreams()) {
        h2Streams = ProtoValues.uint32(h.getHttp2ProtocolOptions().getMaxConcurrentStreams().getValue());
      }
    }
    if (h.getUpgradeConfigsCount() > 0) {
      issues.unsupported(p.field("upgrade_configs"), "protocol upgrades (e.g. websocket) are not supported");
    }
    int maxHeadersKb = ProtoValues.uint32(h.hasMaxRequestHeadersKb(), h.getMaxRequestHeadersKb(), 60);
    if (maxHeadersKb < 1 || maxHeadersKb > 8192) {
      throw new ResourceInvalidException(resource, p.field("max_request_headers_kb").prefix() + "must be in [1, 8192]");
    }
    return new HcmConfig(
        h.getStatPrefix(), codec, routeTable, rdsName, filters, accessLogs,
        h.getServerName().isEmpty() ? "envoy" : h.getServerName(),
        switch (h.getServerHeaderTransformation()) {
          case APPEND_IF_ABSENT -> HcmConfig.ServerHeaderTransformation.APPEND_IF_ABSENT;
          case PASS_THROUGH -> HcmConfig.ServerHeaderTransformation.PASS_THROUGH;
          default -> HcmConfig.ServerHeaderTransformation.OVERWRITE;
        },
        ProtoValues.bool(h.hasUseRemoteAddress(), h.getUseRemoteAddress(), false),
        h.getXffNumTrustedHops(),
        h.getSkipXffAppend(),
        h.getVia(),
        ProtoValues.bool(h.hasGenerateRequestId(), h.getGenerateRequestId(), true),
        h.getPreserveExternalRequestId(),
        h.getAlwaysSetRequestIdInResponse(),
        internal,
        duration(h.hasStreamIdleTimeout(), h.getStreamIdleTimeout(), Duration.ofMinutes(5)),
        duration(h.hasRequestTimeout(), h.getRequestTimeout(), Duration.ZERO),
        duration(h.hasRequestHeadersTimeout(), h.getRequestHeadersTimeout(), Duration.ZERO),
        idle, maxStream,
        duration(h.hasDrainTimeout(), h.getDrainTimeout(), Duration.ofSeconds(5)),
        maxHeadersKb, maxHeaders, acceptHttp10, defaultHost10,
        h.getStripMatchingHostPort(), h.hasStripAnyHostPort() && h.getStripAnyHostPort(),
        ProtoValues.bool(h.hasNormalizePath(), h.getNormalizePath(), false),
        h.getMergeSlashes(), h.getProxy100Continue(),
        codec != HcmConfig.CodecType.HTTP1, h2Streams,
        !h.hasRouteConfig() || !h.getRouteConfig().hasValidateClusters() || h.getRouteConfig().getValidateClusters().getValue());
  }

  static List<HttpFilterConfig> parseHttpFilters(
      List<HttpFilter> protos, ParseContext ctx, FactoryContext fctx, FieldPath p, String resource)
      throws ResourceInvalidException {
    if (protos.isEmpty()) {
      throw new ResourceInvalidException(resource, p.prefix()
          + "the HTTP filter chain is empty; it must end with envoy.filters.http.router");
    }
    List<HttpFilterConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < protos.size(); i++) {
      HttpFilter f = protos.get(i);
      FieldPath fp = p.index(i);
      if (f.getName().isEmpty()) {
        throw new ResourceInvalidException(resource, fp.field("name").prefix() + "must not be empty");
      }
      if (!names.add(f.getName())) {
        throw new ResourceInvalidException(resource, fp.field("name").prefix() + "duplicate HTTP filter name '"
            + f.getName() + "'");
      }
      if (f.getDisabled()) {
        ctx.issues().unsupported(fp.field("disabled"), "filters disabled by default (enabled per route) are not supported; "
            + f.getName() + " is skipped");
        continue;
      }
      HttpFilterConfig parsed = switch (f.getConfigTypeCase()) {
        case CONFIG_DISCOVERY -> parseDiscovered(f, ctx, fctx, fp, resource);
        case TYPED_CONFIG -> parseTyped(f.getName(), ctx.normalize(f.getTypedConfig()), f.getIsOptional(), ctx, fctx,
            fp.field("typed_config"), resource);
        case CONFIGTYPE_NOT_SET -> {
          HttpFilterFactory byName = ctx.registry().httpFilterByName(f.getName()).orElse(null);
          if (byName == null) {
            if (f.getIsOptional()) {
              ctx.issues().unsupported(fp, "optional filter " + f.getName() + " is not known and is skipped");
              yield null;
            }
            throw new ResourceInvalidException(resource, fp.prefix() + "Didn't find a registered implementation for name: '"
                + f.getName() + "'");
          }
          String typeUrl = byName.configTypeUrls().iterator().next();
          yield parseTyped(f.getName(), Any.newBuilder().setTypeUrl(typeUrl).build(), false, ctx, fctx, fp, resource);
        }
      };
      if (parsed != null) {
        out.add(parsed);
      }
    }
    for (int i = 0; i < out.size(); i++) {
      HttpFilterConfig f = out.get(i);
      boolean last = i == out.size() - 1;
      String type = f.typeUrl().substring(f.typeUrl().lastIndexOf('/') + 1);
      if (f.terminal() && !last) {
        throw new ResourceInvalidException(resource, p.prefix() + "Error: terminal filter named " + f.name()
            + " of type " + type + " must be the last filter in a http filter chain.");
      }
      if (!f.terminal() && last) {
        throw new ResourceInvalidException(resource, p.prefix() + "Error: non-terminal filter named " + f.name()
            + " of type " + type + " is the last filter in a http filter chain.");
      }
    }
    return out;
  }

  private static HttpFilterConfig parseTyped(
      String name, Any any, boolean optional, ParseContext ctx, FactoryContext fctx, FieldPath fp, String resource)
      throws ResourceInvalidException {
    HttpFilterFactory factory = ctx.registry().httpFilterByTypeUrl(any.getTypeUrl()).orElse(null);
    if (factory == null) {
      if (optional) {
        ctx.issues().unsupported(fp, "optional filter " + name + " of unknown type " + any.getTypeUrl() + " is skipped");
        return null;
      }
      throw new ResourceInvalidException(resource, fp.prefix() + "Didn't find a registered implementation for '" + name
          + "' with type URL: '" + any.getTypeUrl().substring(any.getTypeUrl().lastIndexOf('/') + 1) + "'");
    }
    try {
      FilterFactory ff = factory.createFilterFactory(any, fctx);
      return new HttpFilterConfig(name, any.getTypeUrl(), ff, null, factory.isTerminal());
    } catch (FilterConfigException e) {
      throw new ResourceInvalidException(resource, fp.prefix() + e.getMessage(), e);
    }
  }

  private static HttpFilterConfig parseDiscovered(
      HttpFilter f, ParseContext ctx, FactoryContext fctx, FieldPath fp, String resource)
      throws ResourceInvalidException {
    var cd = f.getConfigDiscovery();
    FieldPath cp = fp.field("config_discovery");
    if (cd.getTypeUrlsCount() == 0) {
      throw new ResourceInvalidException(resource, cp.field("type_urls").prefix() + "must list at least one type URL");
    }
    boolean terminal = false;
    for (int i = 0; i < cd.getTypeUrlsCount(); i++) {
      String t = cd.getTypeUrls(i);
      HttpFilterFactory factory = ctx.registry().httpFilterByTypeUrl(t).orElse(null);
      if (factory == null) {
        throw new ResourceInvalidException(resource, cp.field("type_urls").index(i).prefix()
            + "Didn't find a registered implementation for type: '" + t.substring(t.lastIndexOf('/') + 1) + "'");
      }
      terminal |= factory.isTerminal();
    }
    FilterFactory defaultFactory = null;
    if (cd.hasDefaultConfig()) {
      Any any = ctx.normalize(cd.getDefaultConfig());
      if (!cd.getTypeUrlsList().contains(any.getTypeUrl())) {
        throw new ResourceInvalidException(resource, cp.field("default_config").prefix() + "Error: filter config has type URL "
            + any.getTypeUrl().substring(any.getTypeUrl().lastIndexOf('/') + 1) + " but expect "
            + String.join(", ", cd.getTypeUrlsList()) + ".");
      }
      defaultFactory = parseTyped(f.getName(), any, false, ctx, fctx, cp.field("default_config"), resource).factory();
    }
    String path = switch (cd.getConfigSource().getConfigSourceSpecifierCase()) {
      case ADS -> null;
      case PATH_CONFIG_SOURCE -> cd.getConfigSource().getPathConfigSource().getPath();
      case PATH -> cd.getConfigSource().getPath();
      default -> throw new ResourceInvalidException(resource, cp.field("config_source").prefix()
          + "only ads and path_config_source config sources are supported for extension configs");
    };
    if (path != null && path.isEmpty()) {
      throw new ResourceInvalidException(resource, cp.field("config_source").field("path_config_source").field("path").prefix()
          + "must not be empty");
    }
    return new HttpFilterConfig(f.getName(), cd.getTypeUrls(0), null,
        new HttpFilterConfig.Discovery(defaultFactory, cd.getApplyDefaultConfigWithoutWarming(), cd.getTypeUrlsList(), path),
        terminal);
  }

  /** Parses {@code access_log} entries through the registry's access logger factories. */
  public static List<AccessLogger> parseAccessLogs(
      List<AccessLog> protos, ParseContext ctx, FactoryContext fctx, FieldPath p, String resource)
      throws ResourceInvalidException {
    List<AccessLogger> out = new ArrayList<>();
    for (int i = 0; i < protos.size(); i++) {
      AccessLog a = protos.get(i);
      FieldPath ap = p.index(i);
      AccessLog normalized = a.hasTypedConfig()
          ? a.toBuilder().setTypedConfig(ctx.normalize(a.getTypedConfig())).build()
          : a;
      AccessLoggerFactory factory = normalized.hasTypedConfig()
          ? ctx.registry().accessLoggerByTypeUrl(normalized.getTypedConfig().getTypeUrl()).orElse(null)
          : ctx.registry().accessLoggerByName(a.getName()).orElse(null);
      if (factory == null) {
        String t = normalized.getTypedConfig().getTypeUrl();
        throw new ResourceInvalidException(resource, ap.prefix() + "Didn't find a registered implementation for '"
            + a.getName() + "' with type URL: '" + t.substring(t.lastIndexOf('/') + 1) + "'");
      }
      try {
        out.add(factory.create(normalized, fctx));
      } catch (FilterConfigException e) {
        throw new ResourceInvalidException(resource, ap.prefix() + e.getMessage(), e);
      }
    }
    return out;
  }
}
