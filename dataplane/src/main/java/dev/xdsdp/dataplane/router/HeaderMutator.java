package dev.xdsdp.dataplane.router;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.xds.resource.route.HeaderMutations;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies {@code request_headers_to_add/remove} and {@code response_headers_to_add/remove} of the
 * levels of a route, in Envoy's order: weighted cluster, route, virtual host, route configuration
 * (reversed with {@code most_specific_header_mutations_wins}); removals before additions per level.
 */
public final class HeaderMutator {

  /** Formats a header value (Envoy substitution commands such as {@code %DOWNSTREAM_REMOTE_ADDRESS%}). */
  @FunctionalInterface
  public interface ValueFormatter {
    String format(String value, HeaderMap requestHeaders, HeaderMap responseHeaders, StreamInfo info);
  }

  private final ValueFormatter formatter;

  public HeaderMutator(ValueFormatter formatter) {
    this.formatter = formatter;
  }

  public void applyRequest(RouteEntry route, HeaderMap headers, StreamInfo info) {
    for (HeaderMutations m : levels(route, true)) {
      apply(m, headers, headers, null, info);
    }
  }

  public void applyResponse(RouteEntry route, HeaderMap responseHeaders, HeaderMap requestHeaders, StreamInfo info) {
    for (HeaderMutations m : levels(route, false)) {
      apply(m, responseHeaders, requestHeaders, responseHeaders, info);
    }
  }

  private static List<HeaderMutations> levels(RouteEntry route, boolean request) {
    List<HeaderMutations> out = new ArrayList<>(4);
    if (route.weightedCluster() != null) {
      out.add(request ? route.weightedCluster().requestHeaders() : route.weightedCluster().responseHeaders());
    }
    out.add(request ? route.route().requestHeaders() : route.route().responseHeaders());
    out.add(request ? route.virtualHost().requestHeaders() : route.virtualHost().responseHeaders());
    RouteTableConfig t = route.table();
    out.add(request ? t.requestHeaders() : t.responseHeaders());
    if (t.mostSpecificHeaderMutationsWins()) {
      java.util.Collections.reverse(out);
    }
    return out;
  }

  private void apply(HeaderMutations m, HeaderMap target, HeaderMap requestHeaders, HeaderMap responseHeaders, StreamInfo info) {
    if (m.isEmpty()) {
      return;
    }
    for (String name : m.remove()) {
      target.remove(name);
    }
    for (HeaderMutations.HeaderAppend a : m.add()) {
      String value = a.value().indexOf('%') >= 0
          ? formatter.format(a.value(), requestHeaders, responseHeaders, info)
          : a.value();
      if (value.isEmpty() && !a.keepEmptyValue()) {
        continue;
      }
      switch (a.action()) {
        case APPEND_IF_EXISTS_OR_ADD -> target.add(a.name(), value);
        case ADD_IF_ABSENT -> {
          if (!target.contains(a.name())) {
            target.add(a.name(), value);
          }
        }
        case OVERWRITE_IF_EXISTS_OR_ADD -> target.set(a.name(), value);
        case OVERWRITE_IF_EXISTS -> {
          if (target.contains(a.name())) {
            target.set(a.name(), value);
          }
        }
      }
    }
  }
}
