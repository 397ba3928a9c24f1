package dev.xdsdp.xds.bootstrap;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.KeepaliveSettings;
import io.envoyproxy.envoy.config.core.v3.RateLimitSettings;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the xDS client needs from a bootstrap's {@code dynamic_resources}: which ADS server to
 * reach and how, which roots to subscribe, and how long to wait for them.
 *
 * @param apiType state of the world ({@code GRPC}) or incremental ({@code DELTA_GRPC})
 * @param server where the ADS server is
 * @param clusterName the static cluster named by {@code envoy_grpc.cluster_name}, or empty for
 *     {@code google_grpc}
 * @param keepalive HTTP/2 keepalive pings from the xDS cluster's {@code connection_keepalive}, or
 *     null for none (Envoy's default)
 * @param tcpKeepalive true when the xDS cluster asks for TCP keepalive
 * @param initialMetadata headers sent on the ADS stream ({@code GrpcService.initial_metadata})
 * @param setNodeOnFirstMessageOnly send {@code node} only in a stream's first request
 * @param lds true when {@code lds_config} is set (LDS through ADS)
 * @param ldsInitialFetchTimeout {@code lds_config.initial_fetch_timeout}; zero waits forever
 * @param cds true when {@code cds_config} is set
 * @param cdsInitialFetchTimeout {@code cds_config.initial_fetch_timeout}; zero waits forever
 * @param rateLimit the request rate limit ({@code rate_limit_settings}), or null for none
 * @param staticClusterNames names of the bootstrap's static clusters, which CDS may not replace
 * @param warnings settings that were accepted but are ignored
 */
public record XdsBootstrapInfo(
    ApiType apiType,
    ServerTarget server,
    String clusterName,
    Keepalive keepalive,
    boolean tcpKeepalive,
    Map<String, String> initialMetadata,
    boolean setNodeOnFirstMessageOnly,
    boolean lds,
    Duration ldsInitialFetchTimeout,
    boolean cds,
    Duration cdsInitialFetchTimeout,
    RateLimit rateLimit,
    Set<String> staticClusterNames,
    List<String> warnings) {

  /** Envoy's default {@code initial_fetch_timeout}. */
  public static final Duration DEFAULT_INITIAL_FETCH_TIMEOUT = Duration.ofSeconds(15);

  public XdsBootstrapInfo {
    initialMetadata = Map.copyOf(initialMetadata);
    staticClusterNames = Set.copyOf(staticClusterNames);
    warnings = List.copyOf(warnings);
  }

  /** The ADS variant. */
  public enum ApiType {
    SOTW,
    DELTA,
  }

  /**
   * Where the ADS server listens: a TCP host and port, a Unix socket path, or a gRPC target URI
   * ({@code google_grpc.target_uri}). Exactly one form is set.
   */
  public record ServerTarget(String host, int port, String unixPath, String targetUri) {

    public static ServerTarget tcp(String host, int port) {
      return new ServerTarget(host, port, null, null);
    }

    public static ServerTarget unix(String path) {
      return new ServerTarget(null, 0, path, null);
    }

    public static ServerTarget uri(String targetUri) {
      return new ServerTarget(null, 0, null, targetUri);
    }

    @Override
    public String toString() {
      if (unixPath != null) {
        return "unix:" + unixPath;
      }
      return targetUri != null ? targetUri : host + ":" + port;
    }
  }

  /** HTTP/2 PING keepalive. */
  public record Keepalive(Duration interval, Duration timeout) {}

  /** Envoy's token bucket on outgoing xDS requests. */
  public record RateLimit(int maxTokens, double fillRatePerSecond) {}

  /** A copy with another server, e.g. for tests that move the control plane. */
  public XdsBootstrapInfo withServer(ServerTarget target) {
    return new XdsBootstrapInfo(apiType, target, clusterName, keepalive, tcpKeepalive, initialMetadata,
        setNodeOnFirstMessageOnly, lds, ldsInitialFetchTimeout, cds, cdsInitialFetchTimeout, rateLimit,
        staticClusterNames, warnings);
  }

  /**
   * A config source's {@code initial_fetch_timeout}: 15 s when unset, zero (wait forever) when set
   * to 0.
   */
  public static Duration initialFetchTimeout(ConfigSource source) {
    if (!source.hasInitialFetchTimeout()) {
      return DEFAULT_INITIAL_FETCH_TIMEOUT;
    }
    var d = source.getInitialFetchTimeout();
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /**
   * Reads {@code dynamic_resources}. Empty when the bootstrap asks for no LDS or CDS.
   *
   * @throws BootstrapException naming the field when the config asks for something this client
   *     cannot do
   */
  @SuppressWarnings("deprecation") // V2 is named to reject it.
  public static Optional<XdsBootstrapInfo> from(Bootstrap bootstrap) throws BootstrapException {
    if (!bootstrap.hasDynamicResources()) {
      return Optional.empty();
    }
    var dr = bootstrap.getDynamicResources();
    String base = "dynamic_resources";
    List<String> warnings = new ArrayList<>();
    if (dr.hasLdsConfig()) {
      checkAds(dr.getLdsConfig(), base + ".lds_config");
    }
    if (dr.hasCdsConfig()) {
      checkAds(dr.getCdsConfig(), base + ".cds_config");
    }
    if (!dr.getLdsResourcesLocator().isEmpty() || !dr.getCdsResourcesLocator().isEmpty()) {
      throw error(base + (dr.getLdsResourcesLocator().isEmpty() ? ".cds_resources_locator" : ".lds_resources_locator"),
          "xdstp:// resource locators are not supported");
    }
    if (!dr.hasLdsConfig() && !dr.hasCdsConfig()) {
      if (dr.hasAdsConfig()) {
        warnings.add(base + ".ads_config: no lds_config or cds_config uses it; no xDS subscription is made");
      }
      return Optional.empty();
    }
    if (!dr.hasAdsConfig()) {
      throw error(base + ".ads_config", "required: lds_config/cds_config use ads but no ads_config is set");
    }
    ApiConfigSource ads = dr.getAdsConfig();
    String ap = base + ".ads_config";
    ApiType apiType = switch (ads.getApiType()) {
      case GRPC -> ApiType.SOTW;
      case DELTA_GRPC -> ApiType.DELTA;
      default -> throw error(ap + ".api_type", ads.getApiType() + " is not supported (supported: GRPC, DELTA_GRPC)");
    };
    if (ads.getTransportApiVersion() == ApiVersion.V2) {
      throw error(ap + ".transport_api_version", "V2 is not supported (use V3)");
    }
    if (ads.getClusterNamesCount() > 0) {
      throw error(ap + ".cluster_names", "only allowed with api_type REST; use grpc_services");
    }
    if (ads.getGrpcServicesCount() == 0) {
      throw error(ap + ".grpc_services", "ADS needs exactly one gRPC service");
    }
    if (ads.getGrpcServicesCount() > 1) {
      warnings.add(ap + ".grpc_services: only the first service is used (xDS failover is not supported)");
    }
    GrpcService gs = ads.getGrpcServices(0);
    String gp = ap + ".grpc_services[0]";
    Map<String, String> metadata = new LinkedHashMap<>();
    for (HeaderValue h : gs.getInitialMetadataList()) {
      metadata.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue());
    }
    ServerTarget target;
    String clusterName = "";
    Keepalive keepalive = null;
    boolean tcpKeepalive = false;
    Set<String> staticNames = new LinkedHashSet<>();
    for (Cluster c : bootstrap.getStaticResources().getClustersList()) {
      staticNames.add(c.getName());
    }
    switch (gs.getTargetSpecifierCase()) {
      case ENVOY_GRPC -> {
        clusterName = gs.getEnvoyGrpc().getClusterName();
        String cp = gp + ".envoy_grpc.cluster_name";
        if (clusterName.isEmpty()) {
          throw error(cp, "must not be empty");
        }
        int index = -1;
        var clusters = bootstrap.getStaticResources().getClustersList();
        for (int i = 0; i < clusters.size(); i++) {
          if (clusters.get(i).getName().equals(clusterName)) {
            index = i;
          }
        }
        if (index < 0) {
          throw error(cp, "unknown cluster '" + clusterName
              + "': the xDS server must be a static cluster of the bootstrap");
        }
        Cluster c = clusters.get(index);
        String sp = "static_resources.clusters[" + index + "]";
        target = clusterTarget(c, sp);
        keepalive = keepalive(c);
        tcpKeepalive = c.hasUpstreamConnectionOptions() && c.getUpstreamConnectionOptions().hasTcpKeepalive();
      }
      case GOOGLE_GRPC -> {
        var g = gs.getGoogleGrpc();
        if (g.getTargetUri().isEmpty()) {
          throw error(gp + ".google_grpc.target_uri", "must not be empty");
        }
        if (g.hasChannelCredentials() || g.getCallCredentialsCount() > 0) {
          throw error(gp + ".google_grpc.channel_credentials", "TLS and call credentials are not supported");
        }
        target = ServerTarget.uri(g.getTargetUri());
      }
      default -> throw error(gp, "needs envoy_grpc or google_grpc");
    }
    RateLimit rateLimit = null;
    if (ads.hasRateLimitSettings()) {
      RateLimitSettings r = ads.getRateLimitSettings();
      int max = r.hasMaxTokens() ? r.getMaxTokens().getValue() : 100;
      double fill = r.hasFillRate() ? r.getFillRate().getValue() : 10;
      if (fill <= 0 || max <= 0) {
        throw error(ap + ".rate_limit_settings", "max_tokens and fill_rate must be greater than 0");
      }
      rateLimit = new RateLimit(max, fill);
    }
    return Optional.of(new XdsBootstrapInfo(
        apiType, target, clusterName, keepalive, tcpKeepalive, metadata, ads.getSetNodeOnFirstMessageOnly(),
        dr.hasLdsConfig(), dr.hasLdsConfig() ? initialFetchTimeout(dr.getLdsConfig()) : Duration.ZERO,
        dr.hasCdsConfig(), dr.hasCdsConfig() ? initialFetchTimeout(dr.getCdsConfig()) : Duration.ZERO,
        rateLimit, staticNames, warnings));
  }

  @SuppressWarnings("deprecation") // V2 is named to reject it.
  private static void checkAds(ConfigSource cs, String path) throws BootstrapException {
    switch (cs.getConfigSourceSpecifierCase()) {
      case ADS -> {
      }
      case API_CONFIG_SOURCE -> throw error(path + ".api_config_source",
          "not supported: only 'ads: {}' config sources are supported");
      case PATH, PATH_CONFIG_SOURCE -> throw error(path + ".path_config_source",
          "not supported: only 'ads: {}' config sources are supported");
      case SELF -> throw error(path + ".self", "not supported: only 'ads: {}' config sources are supported");
      case CONFIGSOURCESPECIFIER_NOT_SET -> throw error(path, "needs 'ads: {}'");
    }
    if (cs.getResourceApiVersion() == ApiVersion.V2) {
      throw error(path + ".resource_api_version", "V2 is not supported (use V3)");
    }
  }

  private static ServerTarget clusterTarget(Cluster c, String sp) throws BootstrapException {
    if (c.hasTransportSocket() && !c.getTransportSocket().getName().endsWith("raw_buffer")
        && !c.getTransportSocket().getTypedConfig().getTypeUrl().endsWith("RawBuffer")) {
      throw error(sp + ".transport_socket", "TLS to the xDS server is not supported (use plaintext, e.g. a Unix socket)");
    }
    if (c.getType() == Cluster.DiscoveryType.EDS || c.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
      throw error(sp + ".type", "the xDS cluster must be STATIC, STRICT_DNS or LOGICAL_DNS");
    }
    List<LbEndpoint> endpoints = new ArrayList<>();
    for (LocalityLbEndpoints l : c.getLoadAssignment().getEndpointsList()) {
      endpoints.addAll(l.getLbEndpointsList());
    }
    if (endpoints.size() != 1) {
      throw error(sp + ".load_assignment", "the xDS cluster must have exactly one endpoint (it has "
          + endpoints.size() + ")");
    }
    var address = endpoints.getFirst().getEndpoint().getAddress();
    String ep = sp + ".load_assignment.endpoints[0].lb_endpoints[0].endpoint.address";
    return switch (address.getAddressCase()) {
      case SOCKET_ADDRESS -> {
        var sa = address.getSocketAddress();
        if (sa.getAddress().isEmpty() || sa.getPortValue() <= 0 || sa.getPortValue() > 65535) {
          throw error(ep + ".socket_address", "needs an address and a port_value in 1..65535");
        }
        yield ServerTarget.tcp(sa.getAddress(), sa.getPortValue());
      }
      case PIPE -> {
        if (address.getPipe().getPath().isEmpty()) {
          throw error(ep + ".pipe.path", "must not be empty");
        }
        yield ServerTarget.unix(address.getPipe().getPath());
      }
      default -> throw error(ep, "needs socket_address or pipe");
    };
  }

  @SuppressWarnings("deprecation") // Istio still sets the cluster's own http2_protocol_options.
  private static Keepalive keepalive(Cluster c) {
    KeepaliveSettings k = null;
    var options = c.getTypedExtensionProtocolOptionsMap().get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    if (options != null && options.is(HttpProtocolOptions.class)) {
      try {
        var h = options.unpack(HttpProtocolOptions.class);
        if (h.getExplicitHttpConfig().getHttp2ProtocolOptions().hasConnectionKeepalive()) {
          k = h.getExplicitHttpConfig().getHttp2ProtocolOptions().getConnectionKeepalive();
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        // The static cluster parser reports a broken options message; no keepalive here.
      }
    }
    if (k == null && c.getHttp2ProtocolOptions().hasConnectionKeepalive()) {
      k = c.getHttp2ProtocolOptions().getConnectionKeepalive();
    }
    if (k == null || !k.hasInterval()) {
      return null;
    }
    Duration interval = Duration.ofSeconds(k.getInterval().getSeconds(), k.getInterval().getNanos());
    Duration timeout = k.hasTimeout()
        ? Duration.ofSeconds(k.getTimeout().getSeconds(), k.getTimeout().getNanos())
        : Duration.ofSeconds(20);
    return new Keepalive(interval, timeout);
  }

  private static BootstrapException error(String field, String problem) {
    return new BootstrapException(ConfigParseException.atField("", field, problem));
  }
}
