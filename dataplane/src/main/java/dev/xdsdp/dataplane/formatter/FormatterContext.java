package dev.xdsdp.dataplane.formatter;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stream.StreamInfo;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import java.util.Objects;

/**
 * What a {@link Formatter} reads, Envoy's {@code HttpFormatterContext}: the headers of the stream,
 * its {@link StreamInfo}, the body of a local reply and why the log is written.
 *
 * <p>Header maps may be null (a request that never got response headers); operators then read
 * them as empty. A context is used on the stream's event loop only.
 *
 * @param requestHeaders request headers, or null
 * @param responseHeaders response headers, or null
 * @param responseTrailers response trailers, or null
 * @param streamInfo the stream's facts
 * @param localReplyBody body of a local reply for {@code %LOCAL_REPLY_BODY%}; empty when none
 * @param accessLogType why the entry is written ({@code %ACCESS_LOG_TYPE%}, {@code log_type_filter})
 */
public record FormatterContext(
    HeaderMap requestHeaders,
    HeaderMap responseHeaders,
    HeaderMap responseTrailers,
    StreamInfo streamInfo,
    String localReplyBody,
    AccessLogType accessLogType) {

  public FormatterContext {
    Objects.requireNonNull(streamInfo, "streamInfo");
    localReplyBody = localReplyBody == null ? "" : localReplyBody;
    accessLogType = accessLogType == null ? AccessLogType.NotSet : accessLogType;
  }

  /** The context of a finished stream: headers come from {@code info}, no local reply body. */
  public static FormatterContext of(StreamInfo info) {
    return new FormatterContext(
        info.requestHeaders(),
        info.responseHeaders(),
        info.responseTrailers(),
        info,
        "",
        AccessLogType.DownstreamEnd);
  }

  /** A context for headers-only use, e.g. {@code request_headers_to_add} values. */
  public static FormatterContext ofRequest(HeaderMap requestHeaders, StreamInfo info) {
    return new FormatterContext(requestHeaders, null, null, info, "", AccessLogType.NotSet);
  }

  /** The same context with a local reply body, for local reply formats. */
  public FormatterContext withLocalReplyBody(String body) {
    return new FormatterContext(
        requestHeaders, responseHeaders, responseTrailers, streamInfo, body, accessLogType);
  }
}
