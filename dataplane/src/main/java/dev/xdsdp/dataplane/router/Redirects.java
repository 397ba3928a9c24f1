package dev.xdsdp.dataplane.router;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.xds.resource.route.PathMatch;
import dev.xdsdp.xds.resource.route.RedirectAction;

/** Builds the {@code location} of a redirect route from the request, as Envoy's RouteEntryImpl. */
final class Redirects {

  private Redirects() {}

  static String location(RedirectAction r, HeaderMap h, RouteEntry route) {
    String originalScheme = h.get("x-forwarded-proto") != null ? h.get("x-forwarded-proto") : h.scheme();
    if (originalScheme == null) {
      originalScheme = "http";
    }
    String scheme = r.scheme() != null ? r.scheme() : originalScheme;
    String authority = h.authority() == null ? "" : h.authority();
    String host = authority;
    String port = "";
    int colon = authority.lastIndexOf(':');
    if (colon > 0 && authority.indexOf(']') < colon) {
      host = authority.substring(0, colon);
      port = authority.substring(colon);
    }
    if (r.host() != null) {
      host = r.host();
      // A new host without an explicit port drops the old one unless it carries its own.
      port = "";
      int c = host.lastIndexOf(':');
      if (c > 0 && host.indexOf(']') < c) {
        port = host.substring(c);
        host = host.substring(0, c);
      }
    }
    if (r.port() != 0) {
      port = ":" + r.port();
    } else if (r.scheme() != null && !r.scheme().equals(originalScheme)) {
      // Changing scheme drops the port of the old scheme (Envoy keeps a non-default one).
      if (port.equals(":80") || port.equals(":443")) {
        port = "";
      }
    }
    if ((scheme.equals("http") && port.equals(":80")) || (scheme.equals("https") && port.equals(":443"))) {
      port = "";
    }
    String full = h.path() == null ? "/" : h.path();
    String pathOnly = RouteMatcher.pathWithoutQuery(full);
    String query = full.substring(pathOnly.length());
    String path;
    if (r.path() != null) {
      path = r.path();
      int q = path.indexOf('?');
      if (q >= 0) {
        query = path.substring(q);
        path = path.substring(0, q);
      }
    } else if (r.prefixRewrite() != null) {
      PathMatch pm = route.route().match().path();
      int len = pm.kind() == PathMatch.Kind.PATH ? pathOnly.length() : Math.min(pm.prefixLength(), pathOnly.length());
      path = r.prefixRewrite() + pathOnly.substring(len);
    } else if (r.regexRewrite() != null) {
      path = r.regexRewrite().replaceAll(pathOnly, r.regexSubstitution());
    } else {
      path = pathOnly;
    }
    if (r.stripQuery()) {
      query = "";
    }
    return scheme + "://" + host + port + path + query;
  }
}
