package dev.xdsdp.api.http;

/** What the filter manager offers a filter while it handles the response (encode) path. */
public interface EncoderFilterCallbacks extends StreamFilterCallbacks {

  /** Resume response iteration after this filter returned a stop status. */
  void continueEncoding();

  /** The response body this filter buffered, or null if none. */
  BodyBuffer encodingBuffer();

  void addEncodedData(BodyBuffer data, boolean streamingFilter);

  HeaderMap addEncodedTrailers();

  /** The response headers, or null before they are known. */
  HeaderMap responseHeaders();

  /** The response trailers, or null. */
  HeaderMap responseTrailers();

  /**
   * Replace the response with a local reply. Allowed only while the response headers have not
   * gone downstream; otherwise the stream is reset.
   */
  void sendLocalReply(LocalReply reply);

  /** Bytes this filter may buffer before the stream fails with 500. */
  int encoderBufferLimit();
}
