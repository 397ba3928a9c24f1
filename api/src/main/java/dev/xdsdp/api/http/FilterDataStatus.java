package dev.xdsdp.api.http;

/** What a filter's {@code decodeData}/{@code encodeData} asks the filter manager to do next. */
public enum FilterDataStatus {
  /**
   * Pass this chunk on to the next filter. If the headers were held by {@code STOP_ITERATION},
   * they are passed on first.
   */
  CONTINUE,
  /**
   * Keep this chunk in the filter manager's buffer for this filter and do not pass it on. The next
   * chunks are appended too; when the filter continues (or returns {@code CONTINUE} from a later
   * call) the whole buffer goes on as one chunk. Past the buffer limit the stream gets 413 on
   * requests and 500 on responses.
   */
  STOP_ITERATION_AND_BUFFER,
  /**
   * Like {@link #STOP_ITERATION_AND_BUFFER}, but the buffer limit only pauses reading from the
   * peer (watermark) instead of failing the stream.
   */
  STOP_ITERATION_AND_WATERMARK,
  /**
   * Drop this chunk for the following filters (the filter has consumed or rewritten it into its own
   * state); iteration stops until the filter continues.
   */
  STOP_ITERATION_NO_BUFFER,
}
