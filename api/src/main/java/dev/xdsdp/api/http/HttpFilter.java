package dev.xdsdp.api.http;

/**
 * A filter on one HTTP stream, Envoy's {@code StreamFilter}: it sees the request on its way
 * upstream (decode, in chain order) and the response on its way downstream (encode, in reverse
 * order). Every method has a pass-through default, so a filter overrides only what it needs.
 *
 * <p>Lifecycle: the filter manager creates one instance per stream from a
 * {@link dev.xdsdp.api.filter.FilterFactory}, calls {@link #setDecoderFilterCallbacks} and
 * {@link #setEncoderFilterCallbacks} before anything else, then the decode and encode methods as
 * the stream progresses, then {@link #onStreamComplete()} once the response is done or the stream
 * is reset (access-log time), then {@link #onDestroy()} exactly once. After {@code onDestroy} no
 * callback may be used.
 *
 * <p>All calls are on the stream's event loop; see the package documentation.
 */
public interface HttpFilter {

  default void setDecoderFilterCallbacks(DecoderFilterCallbacks callbacks) {}

  default void setEncoderFilterCallbacks(EncoderFilterCallbacks callbacks) {}

  /**
   * Request headers. {@code endStream} is true when the request has no body and no trailers.
   * The filter may mutate {@code headers} in place.
   */
  default FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
    return FilterHeadersStatus.CONTINUE;
  }

  /** A chunk of request body; {@code endStream} is true on the last one when there are no trailers. */
  default FilterDataStatus decodeData(BodyBuffer data, boolean endStream) {
    return FilterDataStatus.CONTINUE;
  }

  default FilterTrailersStatus decodeTrailers(HeaderMap trailers) {
    return FilterTrailersStatus.CONTINUE;
  }

  /** Response headers (including local replies). The filter may mutate them in place. */
  default FilterHeadersStatus encodeHeaders(HeaderMap headers, boolean endStream) {
    return FilterHeadersStatus.CONTINUE;
  }

  default FilterDataStatus encodeData(BodyBuffer data, boolean endStream) {
    return FilterDataStatus.CONTINUE;
  }

  default FilterTrailersStatus encodeTrailers(HeaderMap trailers) {
    return FilterTrailersStatus.CONTINUE;
  }

  /**
   * The stream has finished (response complete, local reply sent, or reset). Runs before access
   * logs are written, so a filter may still set dynamic metadata here.
   */
  default void onStreamComplete() {}

  /** Release per-stream resources. Called exactly once, last. */
  default void onDestroy() {}
}
