package dev.xdsdp.xds.resource.route;

import static dev.xdsdp.xds.resource.ProtoValues.duration;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.filter.HttpFilterFactory;
import dev.xdsdp.api.filter.RouteSpecificConfig;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.FieldPath;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.ProtoValues;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.resource.matcher.HeaderMatcher;
import dev.xdsdp.xds.resource.matcher.QueryParameterMatcher;
import dev.xdsdp.xds.resource.matcher.Re2Regex;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Parses and validates {@code envoy.config.route.v3.RouteConfiguration} into a {@link RouteTableConfig}. */
public final class RouteConfigurationResourceType {

  public static final String TYPE_URL = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

  /** Envoy's default route timeout. */
  public static final Duration DEFAULT_ROUTE_TIMEOUT = Duration.ofSeconds(15);

  private static final int DEFAULT_MAX_DIRECT_RESPONSE_BODY = 4096;

  private static final Set<String> ROUTE_CONFIG_FIELDS = Set.of(
      "name", "virtual_hosts", "internal_only_headers", "response_headers_to_add",
      "response_headers_to_remove", "request_headers_to_add", "request_headers_to_remove",
      "most_specific_header_mutations_wins", "validate_clusters", "ignore_port_in_host_matching",
      "typed_per_filter_config", "max_direct_response_body_size_bytes", "metadata");
  private static final Set<String> VHOST_FIELDS = Set.of(
      "name", "domains", "routes", "request_headers_to_add", "request_headers_to_remove",
      "response_headers_to_add", "response_headers_to_remove", "typed_per_filter_config",
      "include_request_attempt_count", "include_attempt_count_in_response", "retry_policy", "metadata");
  private static final Set<String> ROUTE_FIELDS = Set.of(
      "name", "match", "route", "redirect", "direct_response", "non_forwarding_action", "metadata",
      "decorator", "typed_per_filter_config", "request_headers_to_add", "request_headers_to_remove",
      "response_headers_to_add", "response_headers_to_remove", "stat_prefix");
  private static final Set<String> MATCH_FIELDS = Set.of(
      "prefix", "path", "safe_regex", "path_separated_prefix", "connect_matcher", "case_sensitive",
      "runtime_fraction", "headers", "query_parameters", "grpc");
  private static final Set<String> ACTION_FIELDS = Set.of(
      "cluster", "cluster_header", "weighted_clusters", "cluster_not_found_response_code",
      "prefix_rewrite", "regex_rewrite", "host_rewrite_literal", "auto_host_rewrite",
      "host_rewrite_header", "host_rewrite_path_regex", "append_x_forwarded_host", "timeout",
      "idle_timeout", "retry_policy", "max_stream_duration", "max_grpc_timeout", "grpc_timeout_offset",
      "priority", "upgrade_configs");
  private static final Set<String> RETRY_FIELDS = Set.of(
      "retry_on", "num_retries", "per_try_timeout", "per_try_idle_timeout", "retriable_status_codes",
      "retry_back_off", "host_selection_retry_max_attempts", "retriable_headers");
  private static final Set<String> KNOWN_RETRY_ON = Set.of(
      "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited",
      "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers",
      "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal", "resource-exhausted",
      "unavailable");

  private RouteConfigurationResourceType() {}

  public static RouteTableConfig parse(RouteConfiguration proto, ParseContext ctx)
      throws ResourceInvalidException {
    return parse(proto, ctx, FieldPath.ROOT, proto.getName());
  }

  /**
   * Parses a route configuration at {@code base} inside {@code resource} (an inline
   * {@code route_config} of a listener has the listener's name and path).
   */
  public static RouteTableConfig parse(
      RouteConfiguration proto, ParseContext ctx, FieldPath base, String resource)
      throws ResourceInvalidException {
    ConfigIssues issues = ctx.issues();
    issues.checkFields(proto, base, ROUTE_CONFIG_FIELDS);
    int maxBody = proto.hasMaxDirectResponseBodySizeBytes()
        ? proto.getMaxDirectResponseBodySizeBytes().getValue()
        : DEFAULT_MAX_DIRECT_RESPONSE_BODY;
    List<VirtualHostConfig> hosts = new ArrayList<>();
    Set<String> seenDomains = new HashSet<>();
    Set<String> seenNames = new HashSet<>();
    for (int i = 0; i < proto.getVirtualHostsCount(); i++) {
      FieldPath p = base.field("virtual_hosts").index(i);
      VirtualHost vh = proto.getVirtualHosts(i);
      if (!seenNames.add(vh.getName())) {
        throw new ResourceInvalidException(resource, p.field("name").prefix()
            + "virtual host names must be unique: duplicate '" + vh.getName() + "'");
      }
      for (String domain : vh.getDomainsList()) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (!seenDomains.add(d)) {
          throw new ResourceInvalidException(resource, p.field("domains").prefix()
              + (d.equals("*")
                  ? "Only a single wildcard domain is permitted in route " + proto.getName()
                  : "Only unique values for domains are permitted. Duplicate entry of domain "
                      + domain + " in route " + proto.getName()));
        }
      }
      hosts.add(parseVirtualHost(vh, ctx, p, resource, maxBody));
    }
    List<String> internalOnly = new ArrayList<>();
    for (String h : proto.getInternalOnlyHeadersList()) {
      internalOnly.add(h.toLowerCase(Locale.ROOT));
    }
    return new RouteTableConfig(
        proto.getName(),
        hosts,
        HeaderMutations.parse(proto.getRequestHeadersToAddList(), proto.getRequestHeadersToRemoveList(),
            base, "request_headers_to_add", "request_headers_to_remove", resource, ctx),
        HeaderMutations.parse(proto.getResponseHeadersToAddList(), proto.getResponseHeadersToRemoveList(),
            base, "response_headers_to_add", "response_headers_to_remove", resource, ctx),
        internalOnly,
        proto.getMostSpecificHeaderMutationsWins(),
        proto.getIgnorePortInHostMatching(),
        perFilterConfigs(proto.getTypedPerFilterConfigMap(), ctx, base, resource));
  }

  static VirtualHostConfig parseVirtualHost(
      VirtualHost vh, ParseContext ctx, FieldPath p, String resource, int maxBody)
      throws ResourceInvalidException {
    ctx.issues().checkFields(vh, p, VHOST_FIELDS);
    if (vh.getName().isEmpty()) {
      throw new ResourceInvalidException(resource, p.field("name").prefix() + "must not be empty");
    }
    if (vh.getDomainsCount() == 0) {
      throw new ResourceInvalidException(resource, p.field("domains").prefix()
          + "a virtual host needs at least one domain");
    }
    // Envoy checks domains only as header values (no NUL, CR or LF). Anything else is accepted and
    // classified by its first and last character: "api.*.example.com" is an exact domain.
    for (int d = 0; d < vh.getDomainsCount(); d++) {
      String domain = vh.getDomains(d);
      if (domain.indexOf('\0') >= 0 || domain.indexOf('\r') >= 0 || domain.indexOf('\n') >= 0) {
        throw new ResourceInvalidException(resource, p.field("domains").index(d).prefix()
            + "a domain must not contain NUL, CR or LF characters");
      }
    }
    RetryPolicyConfig vhRetry = vh.hasRetryPolicy()
        ? parseRetryPolicy(vh.getRetryPolicy(), ctx, p.field("retry_policy"), resource)
        : null;
    List<RouteConfig> routes = new ArrayList<>(vh.getRoutesCount());
    for (int r = 0; r < vh.getRoutesCount(); r++) {
      routes.add(parseRoute(vh.getRoutes(r), ctx, p.field("routes").index(r), resource, vhRetry, maxBody));
    }
    return new VirtualHostConfig(
        vh.getName(),
        vh.getDomainsList(),
        routes,
        HeaderMutations.parse(vh.getRequestHeadersToAddList(), vh.getRequestHeadersToRemoveList(), p,
            "request_headers_to_add", "request_headers_to_remove", resource, ctx),
        HeaderMutations.parse(vh.getResponseHeadersToAddList(), vh.getResponseHeadersToRemoveList(), p,
            "response_headers_to_add", "response_headers_to_remove", resource, ctx),
        vhRetry,
        vh.getIncludeRequestAttemptCount(),
        vh.getIncludeAttemptCountInResponse(),
        perFilterConfigs(vh.getTypedPerFilterConfigMap(), ctx, p, resource));
  }

  static RouteConfig parseRoute(
      Route route, ParseContext ctx, FieldPath p, String resource, RetryPolicyConfig vhRetry, int maxBody)
      throws ResourceInvalidException {
    ctx.issues().checkFields(route, p, ROUTE_FIELDS);
    if (!route.hasMatch()) {
      throw new ResourceInvalidException(resource, p.field("match").prefix() + "a route needs a match");
    }
    RouteMatchConfig match = parseMatch(route.getMatch(), ctx, p.field("match"), resource);
    RouteAction action = switch (route.getActionCase()) {
      case ROUTE -> parseForward(route.getRoute(), ctx, p.field("route"), resource, vhRetry);
      case REDIRECT -> parseRedirect(route.getRedirect(), p.field("redirect"), resource);
      case DIRECT_RESPONSE -> parseDirectResponse(route.getDirectResponse(), p.field("direct_response"), resource, maxBody);
      case NON_FORWARDING_ACTION -> new NonForwardingAction();
      case FILTER_ACTION -> throw new ResourceInvalidException(resource, p.field("filter_action").prefix()
          + "filter_action routes are not supported");
      case ACTION_NOT_SET -> throw new ResourceInvalidException(resource, p.prefix()
          + "a route needs one of route, redirect, direct_response or non_forwarding_action");
    };
    return new RouteConfig(
        route.getName(),
        match,
        action,
        HeaderMutations.parse(route.getRequestHeadersToAddList(), route.getRequestHeadersToRemoveList(), p,
            "request_headers_to_add", "request_headers_to_remove", resource, ctx),
        HeaderMutations.parse(route.getResponseHeadersToAddList(), route.getResponseHeadersToRemoveList(), p,
            "response_headers_to_add", "response_headers_to_remove", resource, ctx),
        perFilterConfigs(route.getTypedPerFilterConfigMap(), ctx, p, resource));
  }

  static RouteMatchConfig parseMatch(RouteMatch m, ParseContext ctx, FieldPath p, String resource)
      throws ResourceInvalidException {
    ctx.issues().checkFields(m, p, MATCH_FIELDS);
    boolean cs = ProtoValues.bool(m.hasCaseSensitive(), m.getCaseSensitive(), true);
    PathMatch path = switch (m.getPathSpecifierCase()) {
      case PREFIX -> new PathMatch(PathMatch.Kind.PREFIX, m.getPrefix(), null, cs);
      case PATH -> new PathMatch(PathMatch.Kind.PATH, m.getPath(), null, cs);
      case SAFE_REGEX -> new PathMatch(PathMatch.Kind.REGEX, null,
          Re2Regex.of(m.getSafeRegex(), p.field("safe_regex"), resource), true);
      case PATH_SEPARATED_PREFIX -> {
        String v = m.getPathSeparatedPrefix();
        if (!v.startsWith("/") || v.endsWith("/") || v.contains("?") || v.contains("#")) {
          throw new ResourceInvalidException(resource, p.field("path_separated_prefix").prefix()
              + "must start with '/', must not end with '/' and must not contain '?' or '#'");
        }
        yield new PathMatch(PathMatch.Kind.PATH_SEPARATED_PREFIX, v, null, cs);
      }
      case CONNECT_MATCHER -> new PathMatch(PathMatch.Kind.CONNECT, "", null, true);
      case PATH_MATCH_POLICY -> throw new ResourceInvalidException(resource, p.field("path_match_policy").prefix()
          + "path_match_policy extensions are not supported");
      case PATHSPECIFIER_NOT_SET -> throw new ResourceInvalidException(resource, p.prefix()
          + "a route match needs one of prefix, path, safe_regex, path_separated_prefix or connect_matcher");
    };
    List<HeaderMatcher> headers = new ArrayList<>();
    for (int i = 0; i < m.getHeadersCount(); i++) {
      headers.add(HeaderMatcher.parse(m.getHeaders(i), p.field("headers").index(i), resource));
    }
    List<QueryParameterMatcher> query = new ArrayList<>();
    for (int i = 0; i < m.getQueryParametersCount(); i++) {
      query.add(QueryParameterMatcher.parse(m.getQueryParameters(i), p.field("query_parameters").index(i), resource));
    }
    double fraction = m.hasRuntimeFraction()
        ? ProtoValues.fraction(m.getRuntimeFraction().getDefaultValue())
        : 1.0;
    return new RouteMatchConfig(path, headers, query, m.hasGrpc(), fraction);
  }

  static ForwardAction parseForward(
      io.envoyproxy.envoy.config.route.v3.RouteAction a, ParseContext ctx, FieldPath p, String resource,
      RetryPolicyConfig vhRetry) throws ResourceInvalidException {
    ctx.issues().checkFields(a, p, ACTION_FIELDS);
    String cluster = null;
    String clusterHeader = null;
    WeightedClusterConfig weighted = null;
    switch (a.getClusterSpecifierCase()) {
      case CLUSTER -> {
        cluster = a.getCluster();
        if (cluster.isEmpty()) {
          throw new ResourceInvalidException(resource, p.field("cluster").prefix() + "must not be empty");
        }
      }
      case CLUSTER_HEADER -> clusterHeader = a.getClusterHeader().toLowerCase(Locale.ROOT);
      case WEIGHTED_CLUSTERS -> weighted = parseWeighted(a.getWeightedClusters(), ctx, p.field("weighted_clusters"), resource);
      case CLUSTER_SPECIFIER_PLUGIN, INLINE_CLUSTER_SPECIFIER_PLUGIN ->
          throw new ResourceInvalidException(resource, p.prefix() + "cluster specifier plugins are not supported");
      case CLUSTERSPECIFIER_NOT_SET -> throw new ResourceInvalidException(resource, p.prefix()
          + "a route action needs one of cluster, cluster_header or weighted_clusters");
    }
    int notFoundCode = switch (a.getClusterNotFoundResponseCode()) {
      case NOT_FOUND -> 404;
      case INTERNAL_SERVER_ERROR -> 500;
      default -> 503;
    };
    Re2Regex regexRewrite = null;
    String regexSubstitution = null;
    if (a.hasRegexRewrite()) {
      if (!a.getPrefixRewrite().isEmpty()) {
        throw new ResourceInvalidException(resource, p.prefix()
            + "Cannot specify both prefix_rewrite and regex_rewrite");
      }
      regexRewrite = Re2Regex.of(a.getRegexRewrite().getPattern(), p.field("regex_rewrite").field("pattern"), resource);
      regexSubstitution = a.getRegexRewrite().getSubstitution();
    }
    Re2Regex hostPathRegex = null;
    String hostPathSubstitution = null;
    if (a.hasHostRewritePathRegex()) {
      hostPathRegex = Re2Regex.of(a.getHostRewritePathRegex().getPattern(),
          p.field("host_rewrite_path_regex").field("pattern"), resource);
      hostPathSubstitution = a.getHostRewritePathRegex().getSubstitution();
    }
    RetryPolicyConfig retry = a.hasRetryPolicy()
        ? parseRetryPolicy(a.getRetryPolicy(), ctx, p.field("retry_policy"), resource)
        : vhRetry;
    Duration timeout = duration(a.hasTimeout(), a.getTimeout(), DEFAULT_ROUTE_TIMEOUT);
    Duration idle = a.hasIdleTimeout() ? duration(a.getIdleTimeout()) : null;
    Duration maxStream = Duration.ZERO;
    Duration grpcMax = Duration.ZERO;
    boolean grpcMaxSet = false;
    Duration grpcOffset = Duration.ZERO;
    if (a.hasMaxStreamDuration()) {
      var msd = a.getMaxStreamDuration();
      if (msd.hasMaxStreamDuration()) {
        maxStream = duration(msd.getMaxStreamDuration());
      }
      if (msd.hasGrpcTimeoutHeaderMax()) {
        grpcMaxSet = true;
        grpcMax = duration(msd.getGrpcTimeoutHeaderMax());
      }
      if (msd.hasGrpcTimeoutHeaderOffset()) {
        grpcOffset = duration(msd.getGrpcTimeoutHeaderOffset());
      }
    } else if (a.hasMaxGrpcTimeout()) {
      grpcMaxSet = true;
      grpcMax = duration(a.getMaxGrpcTimeout());
      if (a.hasGrpcTimeoutOffset()) {
        grpcOffset = duration(a.getGrpcTimeoutOffset());
      }
    }
    for (int i = 0; i < a.getUpgradeConfigsCount(); i++) {
      ctx.issues().unsupported(p.field("upgrade_configs").index(i), "protocol upgrades (e.g. websocket) are not supported");
    }
    return new ForwardAction(
        cluster, clusterHeader, weighted, notFoundCode,
        a.getPrefixRewrite().isEmpty() ? null : a.getPrefixRewrite(),
        regexRewrite, regexSubstitution,
        a.hasHostRewriteLiteral() ? a.getHostRewriteLiteral() : null,
        a.hasAutoHostRewrite() && a.getAutoHostRewrite().getValue(),
        a.hasHostRewriteHeader() ? a.getHostRewriteHeader().toLowerCase(Locale.ROOT) : null,
        hostPathRegex, hostPathSubstitution,
        a.getAppendXForwardedHost(),
        timeout, idle, retry, maxStream, grpcMax, grpcMaxSet, grpcOffset);
  }

  static WeightedClusterConfig parseWeighted(WeightedCluster w, ParseContext ctx, FieldPath p, String resource)
      throws ResourceInvalidException {
    if (w.getClustersCount() == 0) {
      throw new ResourceInvalidException(resource, p.field("clusters").prefix() + "must have at least one cluster");
    }
    List<WeightedClusterConfig.ClusterWeight> clusters = new ArrayList<>();
    long sum = 0;
    for (int i = 0; i < w.getClustersCount(); i++) {
      FieldPath cp = p.field("clusters").index(i);
      WeightedCluster.ClusterWeight c = w.getClusters(i);
      if (c.getName().isEmpty() && c.getClusterHeader().isEmpty()) {
        throw new ResourceInvalidException(resource, cp.prefix() + "a weighted cluster needs a name or a cluster_header");
      }
      int weight = c.hasWeight() ? c.getWeight().getValue() : 0;
      sum += weight;
      clusters.add(new WeightedClusterConfig.ClusterWeight(
          c.getName(),
          c.getClusterHeader().isEmpty() ? null : c.getClusterHeader().toLowerCase(Locale.ROOT),
          weight,
          HeaderMutations.parse(c.getRequestHeadersToAddList(), c.getRequestHeadersToRemoveList(), cp,
              "request_headers_to_add", "request_headers_to_remove", resource, ctx),
          HeaderMutations.parse(c.getResponseHeadersToAddList(), c.getResponseHeadersToRemoveList(), cp,
              "response_headers_to_add", "response_headers_to_remove", resource, ctx),
          c.hasHostRewriteLiteral() ? c.getHostRewriteLiteral() : null,
          perFilterConfigs(c.getTypedPerFilterConfigMap(), ctx, cp, resource)));
    }
    long total = sum;
    if (w.hasTotalWeight() && w.getTotalWeight().getValue() > 0) {
      total = w.getTotalWeight().getValue();
      if (total != sum) {
        throw new ResourceInvalidException(resource, p.field("total_weight").prefix()
            + "Sum of weights in the weighted_cluster should add up to " + total);
      }
    }
    if (total <= 0) {
      throw new ResourceInvalidException(resource, p.prefix() + "Sum of weights in the weighted_cluster must be greater than 0");
    }
    return new WeightedClusterConfig(clusters, total,
        w.getHeaderName().isEmpty() ? null : w.getHeaderName().toLowerCase(Locale.ROOT));
  }

  static RetryPolicyConfig parseRetryPolicy(RetryPolicy r, ParseContext ctx, FieldPath p, String resource)
      throws ResourceInvalidException {
    ctx.issues().checkFields(r, p, RETRY_FIELDS);
    Set<String> on = new LinkedHashSet<>();
    for (String part : r.getRetryOn().split(",")) {
      String c = part.trim();
      if (c.isEmpty()) {
        continue;
      }
      if (!KNOWN_RETRY_ON.contains(c)) {
        // Envoy ignores unknown conditions too; say so rather than drop them silently.
        ctx.issues().unsupported(p.field("retry_on"), "unknown retry condition '" + c + "' is ignored");
        continue;
      }
      on.add(c);
    }
    Duration base = Duration.ofMillis(25);
    Duration max = null;
    if (r.hasRetryBackOff()) {
      base = duration(r.getRetryBackOff().getBaseInterval());
      if (base.isZero() || base.isNegative()) {
        throw new ResourceInvalidException(resource, p.field("retry_back_off").field("base_interval").prefix()
            + "must be greater than 0");
      }
      if (r.getRetryBackOff().hasMaxInterval()) {
        max = duration(r.getRetryBackOff().getMaxInterval());
        if (max.compareTo(base) < 0) {
          throw new ResourceInvalidException(resource, p.field("retry_back_off").field("max_interval").prefix()
              + "max_interval must be greater than or equal to the base_interval");
        }
      }
    }
    if (max == null) {
      max = base.multipliedBy(10);
    }
    Set<Integer> codes = new HashSet<>(r.getRetriableStatusCodesList());
    List<HeaderMatcher> retriableHeaders = new ArrayList<>();
    for (int i = 0; i < r.getRetriableHeadersCount(); i++) {
      retriableHeaders.add(HeaderMatcher.parse(r.getRetriableHeaders(i), p.field("retriable_headers").index(i), resource));
    }
    return new RetryPolicyConfig(
        on,
        r.hasNumRetries() ? r.getNumRetries().getValue() : 1,
        duration(r.hasPerTryTimeout(), r.getPerTryTimeout(), Duration.ZERO),
        duration(r.hasPerTryIdleTimeout(), r.getPerTryIdleTimeout(), Duration.ZERO),
        codes, base, max, (int) r.getHostSelectionRetryMaxAttempts(), retriableHeaders);
  }

  static RedirectAction parseRedirect(io.envoyproxy.envoy.config.route.v3.RedirectAction r, FieldPath p, String resource)
      throws ResourceInvalidException {
    String scheme = null;
    if (r.hasHttpsRedirect() && r.getHttpsRedirect()) {
      scheme = "https";
    } else if (r.hasSchemeRedirect()) {
      scheme = r.getSchemeRedirect().toLowerCase(Locale.ROOT);
    }
    Re2Regex regex = null;
    String substitution = null;
    if (r.hasRegexRewrite()) {
      regex = Re2Regex.of(r.getRegexRewrite().getPattern(), p.field("regex_rewrite").field("pattern"), resource);
      substitution = r.getRegexRewrite().getSubstitution();
    }
    int code = switch (r.getResponseCode()) {
      case FOUND -> 302;
      case SEE_OTHER -> 303;
      case TEMPORARY_REDIRECT -> 307;
      case PERMANENT_REDIRECT -> 308;
      default -> 301;
    };
    return new RedirectAction(
        scheme,
        r.getHostRedirect().isEmpty() ? null : r.getHostRedirect(),
        r.getPortRedirect(),
        // As in Envoy, an empty path_redirect keeps the request's path.
        r.getPathRedirect().isEmpty() ? null : r.getPathRedirect(),
        r.hasPrefixRewrite() ? r.getPrefixRewrite() : null,
        regex, substitution, code, r.getStripQuery());
  }

  static DirectResponseAction parseDirectResponse(
      io.envoyproxy.envoy.config.route.v3.DirectResponseAction d, FieldPath p, String resource, int maxBody)
      throws ResourceInvalidException {
    int status = d.getStatus();
    if (status < 200 || status >= 600) {
      throw new ResourceInvalidException(resource, p.field("status").prefix()
          + "must be in [200, 600), got " + status);
    }
    String body = "";
    if (d.hasBody()) {
      var src = d.getBody();
      FieldPath bp = p.field("body");
      body = switch (src.getSpecifierCase()) {
        case INLINE_STRING -> src.getInlineString();
        case INLINE_BYTES -> src.getInlineBytes().toString(StandardCharsets.UTF_8);
        case FILENAME -> {
          try {
            yield Files.readString(Path.of(src.getFilename()));
          } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // NIO's messages are often just the path again; say what went wrong instead.
            String reason = switch (e instanceof java.io.UncheckedIOException u ? u.getCause() : e) {
              case java.nio.file.NoSuchFileException x -> "no such file";
              case java.nio.file.AccessDeniedException x -> "permission denied";
              case java.nio.charset.CharacterCodingException x -> "not UTF-8 text";
              case Throwable t -> Files.isDirectory(Path.of(src.getFilename())) ? "is a directory" : t.getMessage();
            };
            throw new ResourceInvalidException(resource, bp.field("filename").prefix()
                + "unable to read file: " + src.getFilename() + " (" + reason + ")");
          }
        }
        case ENVIRONMENT_VARIABLE -> {
          String v = System.getenv(src.getEnvironmentVariable());
          if (v == null) {
            throw new ResourceInvalidException(resource, bp.field("environment_variable").prefix()
                + "environment variable '" + src.getEnvironmentVariable() + "' is not set");
          }
          yield v;
        }
        case SPECIFIER_NOT_SET -> "";
      };
      if (body.getBytes(StandardCharsets.UTF_8).length > maxBody) {
        throw new ResourceInvalidException(resource, bp.prefix() + "response body size is "
            + body.getBytes(StandardCharsets.UTF_8).length + " bytes; maximum is " + maxBody);
      }
    }
    return new DirectResponseAction(status, body);
  }

  /**
   * Parses {@code typed_per_filter_config}: each value goes to the factory registered for its type
   * (unwrapping {@code FilterConfig}); unknown types are errors unless marked optional.
   */
  static Map<String, RouteSpecificConfig> perFilterConfigs(
      Map<String, Any> configs, ParseContext ctx, FieldPath p, String resource)
      throws ResourceInvalidException {
    if (configs.isEmpty()) {
      return Map.of();
    }
    Map<String, RouteSpecificConfig> out = new LinkedHashMap<>();
    for (Map.Entry<String, Any> e : configs.entrySet()) {
      FieldPath fp = p.field("typed_per_filter_config").key(e.getKey());
      Any any = ctx.normalize(e.getValue());
      boolean optional = false;
      if (any.getTypeUrl().endsWith("/envoy.config.route.v3.FilterConfig")) {
        try {
          FilterConfig fc = any.unpack(FilterConfig.class);
          optional = fc.getIsOptional();
          if (fc.getDisabled()) {
            ctx.issues().unsupported(fp.field("disabled"), "disabling a filter per route is not supported");
          }
          any = ctx.normalize(fc.getConfig());
        } catch (InvalidProtocolBufferException ex) {
          throw new ResourceInvalidException(resource, fp.prefix() + "invalid FilterConfig: " + ex.getMessage());
        }
      }
      String typeUrl = any.getTypeUrl();
      HttpFilterFactory factory = ctx.registry().httpFilterByTypeUrl(typeUrl).orElse(null);
      if (factory == null) {
        if (optional) {
          ctx.issues().unsupported(fp, "optional per-route config of unknown type " + typeUrl + " is skipped");
          continue;
        }
        throw new ResourceInvalidException(resource, fp.prefix() + "Didn't find a registered implementation for '"
            + e.getKey() + "' with type URL: '" + typeUrl.substring(typeUrl.lastIndexOf('/') + 1) + "'");
      }
      try {
        out.put(e.getKey(), factory.createRouteSpecificConfig(any,
            ctx.factoryContext("", ctx.statsRoot())));
      } catch (FilterConfigException ex) {
        throw new ResourceInvalidException(resource, fp.prefix() + ex.getMessage(), ex);
      }
    }
    return out;
  }
}
