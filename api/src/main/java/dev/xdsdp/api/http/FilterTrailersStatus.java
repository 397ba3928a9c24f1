package dev.xdsdp.api.http;

/** What a filter's {@code decodeTrailers}/{@code encodeTrailers} asks the filter manager to do next. */
public enum FilterTrailersStatus {
  /** Pass the trailers (and anything buffered before them) on to the next filter. */
  CONTINUE,
  /** Hold the trailers until the filter calls {@code continueDecoding()}/{@code continueEncoding()}. */
  STOP_ITERATION,
}
