package dev.xdsdp.dataplane.filters.headermutation;

import dev.xdsdp.api.filter.RouteSpecificConfig;
import dev.xdsdp.api.http.DecoderFilterCallbacks;
import dev.xdsdp.api.http.EncoderFilterCallbacks;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.HttpFilter;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.router.HeaderMutator;
import java.util.List;

/** Applies the configured request edits on the way up and the response edits on the way down. */
final class HeaderMutationFilter implements HttpFilter {

  private final HeaderMutationConfig config;
  private final HeaderMutator.ValueFormatter formatter;
  private DecoderFilterCallbacks decoder;
  private HeaderMap requestHeaders;

  HeaderMutationFilter(HeaderMutationConfig config, HeaderMutator.ValueFormatter formatter) {
    this.config = config;
    this.formatter = formatter;
  }

  @Override
  public void setDecoderFilterCallbacks(DecoderFilterCallbacks callbacks) {
    this.decoder = callbacks;
  }

  @Override
  public void setEncoderFilterCallbacks(EncoderFilterCallbacks callbacks) {}

  @Override
  public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
    requestHeaders = headers;
    for (HeaderMutationConfig c : ordered()) {
      apply(c.request(), headers, headers, null, decoder.streamInfo());
    }
    return FilterHeadersStatus.CONTINUE;
  }

  @Override
  public FilterHeadersStatus encodeHeaders(HeaderMap headers, boolean endStream) {
    for (HeaderMutationConfig c : ordered()) {
      apply(c.response(), headers, requestHeaders, headers, decoder.streamInfo());
    }
    return FilterHeadersStatus.CONTINUE;
  }

  /** Filter-level edits last (they win) unless the most specific (per-route) ones should win. */
  private List<HeaderMutationConfig> ordered() {
    RouteSpecificConfig rc = decoder.perRouteConfig();
    if (!(rc instanceof HeaderMutationConfig route)) {
      return List.of(config);
    }
    return config.mostSpecificWins() ? List.of(config, route) : List.of(route, config);
  }

  private void apply(List<HeaderMutationConfig.Edit> edits, HeaderMap target, HeaderMap req, HeaderMap resp, StreamInfo info) {
    for (HeaderMutationConfig.Edit e : edits) {
      if (e.remove()) {
        target.remove(e.name());
        continue;
      }
      String value = e.value().indexOf('%') >= 0 ? formatter.format(e.value(), req, resp, info) : e.value();
      if (value.isEmpty() && !e.keepEmpty()) {
        continue;
      }
      switch (e.action()) {
        case APPEND_IF_EXISTS_OR_ADD -> target.add(e.name(), value);
        case ADD_IF_ABSENT -> {
          if (!target.contains(e.name())) {
            target.add(e.name(), value);
          }
        }
        case OVERWRITE_IF_EXISTS_OR_ADD -> target.set(e.name(), value);
        case OVERWRITE_IF_EXISTS -> {
          if (target.contains(e.name())) {
            target.set(e.name(), value);
          }
        }
      }
    }
  }
}
