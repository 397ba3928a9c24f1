package dev.xdsdp.xds.resource.route;

import dev.xdsdp.api.filter.RouteSpecificConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A route configuration (inline or from RDS), with the virtual host index Envoy builds: exact
 * domains, then suffix wildcards ({@code *.example.com}) longest first, then prefix wildcards
 * ({@code example.*}) longest first, then the {@code *} default.
 */
public final class RouteTableConfig {

  private final String name;
  private final List<VirtualHostConfig> virtualHosts;
  private final HeaderMutations requestHeaders;
  private final HeaderMutations responseHeaders;
  private final List<String> internalOnlyHeaders;
  private final boolean mostSpecificHeaderMutationsWins;
  private final boolean ignorePortInHostMatching;
  private final Map<String, RouteSpecificConfig> perFilterConfig;

  private final Map<String, VirtualHostConfig> exact = new HashMap<>();
  // Keyed by wildcard length, longest first; each maps the non-wildcard part to its host.
  private final TreeMap<Integer, Map<String, VirtualHostConfig>> suffixes = new TreeMap<>((a, b) -> b - a);
  private final TreeMap<Integer, Map<String, VirtualHostConfig>> prefixes = new TreeMap<>((a, b) -> b - a);
  private final VirtualHostConfig defaultHost;

  RouteTableConfig(
      String name,
      List<VirtualHostConfig> virtualHosts,
      HeaderMutations requestHeaders,
      HeaderMutations responseHeaders,
      List<String> internalOnlyHeaders,
      boolean mostSpecificHeaderMutationsWins,
      boolean ignorePortInHostMatching,
      Map<String, RouteSpecificConfig> perFilterConfig) {
    this.name = name;
    this.virtualHosts = List.copyOf(virtualHosts);
    this.requestHeaders = requestHeaders;
    this.responseHeaders = responseHeaders;
    this.internalOnlyHeaders = List.copyOf(internalOnlyHeaders);
    this.mostSpecificHeaderMutationsWins = mostSpecificHeaderMutationsWins;
    this.ignorePortInHostMatching = ignorePortInHostMatching;
    this.perFilterConfig = Map.copyOf(perFilterConfig);
    VirtualHostConfig def = null;
    for (VirtualHostConfig vh : virtualHosts) {
      for (String domain : vh.domains()) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.equals("*")) {
          def = vh;
        } else if (d.startsWith("*")) {
          suffixes.computeIfAbsent(d.length() - 1, k -> new HashMap<>()).put(d.substring(1), vh);
        } else if (d.endsWith("*")) {
          prefixes.computeIfAbsent(d.length() - 1, k -> new HashMap<>()).put(d.substring(0, d.length() - 1), vh);
        } else {
          exact.put(d, vh);
        }
      }
    }
    this.defaultHost = def;
  }

  public String name() {
    return name;
  }

  public List<VirtualHostConfig> virtualHosts() {
    return virtualHosts;
  }

  public HeaderMutations requestHeaders() {
    return requestHeaders;
  }

  public HeaderMutations responseHeaders() {
    return responseHeaders;
  }

  public List<String> internalOnlyHeaders() {
    return internalOnlyHeaders;
  }

  public boolean mostSpecificHeaderMutationsWins() {
    return mostSpecificHeaderMutationsWins;
  }

  public Map<String, RouteSpecificConfig> perFilterConfig() {
    return perFilterConfig;
  }

  /** The virtual host for an {@code :authority} value, or null when none matches. */
  public VirtualHostConfig findVirtualHost(String authority) {
    if (authority == null) {
      authority = "";
    }
    String host = authority.toLowerCase(Locale.ROOT);
    if (ignorePortInHostMatching) {
      host = stripPort(host);
    }
    VirtualHostConfig vh = exact.get(host);
    if (vh != null) {
      return vh;
    }
    for (Map.Entry<Integer, Map<String, VirtualHostConfig>> e : suffixes.entrySet()) {
      if (e.getKey() >= host.length()) {
        continue;
      }
      vh = e.getValue().get(host.substring(host.length() - e.getKey()));
      if (vh != null) {
        return vh;
      }
    }
    for (Map.Entry<Integer, Map<String, VirtualHostConfig>> e : prefixes.entrySet()) {
      if (e.getKey() >= host.length()) {
        continue;
      }
      vh = e.getValue().get(host.substring(0, e.getKey()));
      if (vh != null) {
        return vh;
      }
    }
    return defaultHost;
  }

  /** {@code host:port} → {@code host}, keeping IPv6 literals such as {@code [::1]} intact. */
  public static String stripPort(String host) {
    int colon = host.lastIndexOf(':');
    if (colon < 0) {
      return host;
    }
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return close > 0 && colon > close ? host.substring(0, colon) : host;
    }
    return host.indexOf(':') == colon ? host.substring(0, colon) : host;
  }

  @Override
  public String toString() {
    return "RouteTableConfig[" + name + ", " + virtualHosts.size() + " virtual hosts]";
  }
}
