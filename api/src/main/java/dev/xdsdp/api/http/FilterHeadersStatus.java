package dev.xdsdp.api.http;

/** What a filter's {@code decodeHeaders}/{@code encodeHeaders} asks the filter manager to do next. */
public enum FilterHeadersStatus {
  /** Pass the headers on to the next filter now. */
  CONTINUE,
  /**
   * Do not pass the headers on yet. Body data that arrives meanwhile still goes to this filter's
   * {@code decodeData}/{@code encodeData}; the filter later calls {@code continueDecoding()} /
   * {@code continueEncoding()} to resume, which passes the headers (and what it buffered) on.
   */
  STOP_ITERATION,
  /**
   * Do not pass the headers on, and do not call this filter again until it resumes: body and
   * trailers that arrive meanwhile are buffered by the filter manager (up to the buffer limit;
   * past it the stream gets 413 on requests and 500 on responses, as Envoy does) and delivered
   * after {@code continueDecoding()}/{@code continueEncoding()}.
   */
  STOP_ALL_ITERATION_AND_BUFFER,
  /**
   * Like {@link #STOP_ALL_ITERATION_AND_BUFFER}, but past the buffer limit the other side is paused
   * (the client's reading on requests, the upstream's on responses) instead of the stream failing,
   * until the filter resumes and the held body drains (Envoy's {@code StopAllIterationAndWatermark},
   * what proxy-wasm filters get when they pause at headers).
   */
  STOP_ALL_ITERATION_AND_WATERMARK,
}
