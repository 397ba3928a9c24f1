package dev.xdsdp.api.http;

/** What the filter manager offers a filter while it handles the request (decode) path. */
public interface DecoderFilterCallbacks extends StreamFilterCallbacks {

  /**
   * Resume request iteration after this filter returned a stop status: passes the headers (if held),
   * the buffered body and the trailers on to the next filter. A no-op if nothing is held.
   * May be called from a later event-loop turn (e.g. after a callout completes).
   */
  void continueDecoding();

  /** The body this filter buffered (via {@code STOP_ITERATION_AND_BUFFER}), or null if none. */
  BodyBuffer decodingBuffer();

  /**
   * Adds data to the request body as if it had arrived, for filters that buffer or create a body
   * (e.g. from {@code decodeHeaders} with end-of-stream, which then carries a body).
   */
  void addDecodedData(BodyBuffer data, boolean streamingFilter);

  /** Adds trailers to a request that has none; only valid from the last {@code decodeData} call. */
  HeaderMap addDecodedTrailers();

  /** The request headers, or null before they are known. */
  HeaderMap requestHeaders();

  /** The request trailers, or null. */
  HeaderMap requestTrailers();

  /**
   * Answer the request from the proxy: stops the decode chain and sends {@code reply} through
   * the encode filters. On a stream whose response has started, resets the stream instead.
   */
  void sendLocalReply(LocalReply reply);

  /**
   * Start the response from a decoder filter (the router does this with the upstream response):
   * the headers go through the encode filters in reverse order, then downstream.
   */
  void encodeHeaders(HeaderMap headers, boolean endStream);

  void encodeData(BodyBuffer data, boolean endStream);

  void encodeTrailers(HeaderMap trailers);

  /** Bytes this filter may buffer before the stream fails with 413. */
  int decoderBufferLimit();

  /**
   * Register for flow control of the downstream side: the router pauses its upstream read when the
   * downstream write queue is full.
   */
  void addDownstreamWatermarkCallbacks(WatermarkCallbacks callbacks);

  void removeDownstreamWatermarkCallbacks(WatermarkCallbacks callbacks);

  /** Pause ({@code true}) or resume reading the request body from downstream. */
  void setDownstreamReadDisabled(boolean disabled);
}
