package dev.xdsdp.dataplane.router;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.xds.resource.matcher.HeaderMatcher;
import dev.xdsdp.xds.resource.matcher.QueryParameterMatcher;
import dev.xdsdp.xds.resource.route.ForwardAction;
import dev.xdsdp.xds.resource.route.RouteConfig;
import dev.xdsdp.xds.resource.route.RouteMatchConfig;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import dev.xdsdp.xds.resource.route.VirtualHostConfig;
import dev.xdsdp.xds.resource.route.WeightedClusterConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Selects the virtual host and route for request headers, in Envoy's order. Stateless. */
public final class RouteMatcher {

  private RouteMatcher() {}

  /** The matching route, or null (Envoy's 404 NR). */
  public static RouteEntry match(RouteTableConfig table, HeaderMap headers) {
    if (table == null) {
      return null;
    }
    VirtualHostConfig vh = table.findVirtualHost(headers.authority());
    if (vh == null) {
      return null;
    }
    String path = headers.path();
    String method = headers.method();
    if (path == null) {
      path = "";
    }
    String pathOnly = pathWithoutQuery(path);
    Map<String, String> query = null;
    for (RouteConfig r : vh.routes()) {
      RouteMatchConfig m = r.match();
      if (!m.path().matches(method, path, pathOnly)) {
        continue;
      }
      if (m.grpcOnly() && !isGrpc(headers)) {
        continue;
      }
      if (!HeaderMatcher.matchAll(m.headers(), headers)) {
        continue;
      }
      if (!m.queryParameters().isEmpty()) {
        if (query == null) {
          query = parseQuery(path);
        }
        boolean all = true;
        for (QueryParameterMatcher q : m.queryParameters()) {
          if (!q.matches(query)) {
            all = false;
            break;
          }
        }
        if (!all) {
          continue;
        }
      }
      if (m.runtimeFraction() < 1.0 && ThreadLocalRandom.current().nextDouble() >= m.runtimeFraction()) {
        continue;
      }
      return entry(table, vh, r, headers);
    }
    return null;
  }

  private static RouteEntry entry(RouteTableConfig table, VirtualHostConfig vh, RouteConfig r, HeaderMap headers) {
    if (!(r.action() instanceof ForwardAction f)) {
      return new RouteEntry(table, vh, r, null, null);
    }
    if (f.cluster() != null) {
      return new RouteEntry(table, vh, r, null, f.cluster());
    }
    if (f.clusterHeader() != null) {
      String c = headers.get(f.clusterHeader());
      return new RouteEntry(table, vh, r, null, c == null ? "" : c);
    }
    WeightedClusterConfig w = f.weightedClusters();
    long value = -1;
    if (w.randomValueHeader() != null) {
      String v = headers.get(w.randomValueHeader());
      if (v != null) {
        try {
          value = Long.parseUnsignedLong(v.trim());
        } catch (NumberFormatException e) {
          value = -1;
        }
      }
    }
    if (value < 0) {
      value = ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
    }
    WeightedClusterConfig.ClusterWeight picked = w.pick(value);
    String cluster = picked.clusterHeader() != null
        ? (headers.get(picked.clusterHeader()) == null ? "" : headers.get(picked.clusterHeader()))
        : picked.name();
    return new RouteEntry(table, vh, r, picked, cluster);
  }

  static boolean isGrpc(HeaderMap headers) {
    String ct = headers.get("content-type");
    return ct != null && ct.startsWith("application/grpc");
  }

  /** The path without query string and fragment. */
  public static String pathWithoutQuery(String path) {
    int end = path.length();
    int q = path.indexOf('?');
    if (q >= 0) {
      end = q;
    }
    int h = path.indexOf('#');
    if (h >= 0 && h < end) {
      end = h;
    }
    return path.substring(0, end);
  }

  /** The query parameters of {@code path}, decoded, first value of each name. */
  static Map<String, String> parseQuery(String path) {
    Map<String, String> out = new HashMap<>();
    int q = path.indexOf('?');
    if (q < 0) {
      return out;
    }
    int end = path.indexOf('#', q);
    String qs = path.substring(q + 1, end < 0 ? path.length() : end);
    for (String part : qs.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = decode(eq < 0 ? part : part.substring(0, eq));
      String value = eq < 0 ? "" : decode(part.substring(eq + 1));
      out.putIfAbsent(name, value);
    }
    return out;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
