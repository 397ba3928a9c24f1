package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.http.DecoderFilterCallbacks;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.HttpFilter;
import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.api.stream.ResponseFlag;

/**
 * Stands in for an ECDS filter whose config has not arrived and that has no default: Envoy answers
 * such requests 500 with response flag NFCF.
 */
public final class MissingConfigFilter implements HttpFilter {

  private DecoderFilterCallbacks callbacks;

  @Override
  public void setDecoderFilterCallbacks(DecoderFilterCallbacks callbacks) {
    this.callbacks = callbacks;
  }

  @Override
  public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
    callbacks.streamInfo().addResponseFlag(ResponseFlag.NO_FILTER_CONFIG_FOUND);
    callbacks.sendLocalReply(LocalReply.of(500, "", "filter_config_not_found"));
    return FilterHeadersStatus.STOP_ITERATION;
  }
}
