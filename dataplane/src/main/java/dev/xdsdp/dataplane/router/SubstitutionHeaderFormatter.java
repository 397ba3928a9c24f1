package dev.xdsdp.dataplane.router;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.formatter.Formatter;
import dev.xdsdp.dataplane.formatter.FormatterContext;
import dev.xdsdp.dataplane.formatter.FormatterException;
import dev.xdsdp.dataplane.formatter.SubstitutionFormatStrings;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Formats header values with Envoy's substitution commands ({@code %REQ(x)%},
 * {@code %DOWNSTREAM_REMOTE_ADDRESS%}, ...). Each distinct value is parsed once; a value that does
 * not parse is used literally, as the route config was accepted with it.
 */
public final class SubstitutionHeaderFormatter implements HeaderMutator.ValueFormatter {

  private final ConcurrentHashMap<String, Formatter> cache = new ConcurrentHashMap<>();

  @Override
  public String format(String value, HeaderMap requestHeaders, HeaderMap responseHeaders, StreamInfo info) {
    Formatter f = cache.computeIfAbsent(value, v -> {
      try {
        return SubstitutionFormatStrings.text(v, true);
      } catch (FormatterException e) {
        return null;
      }
    });
    if (f == null) {
      return value;
    }
    return f.format(new FormatterContext(requestHeaders, responseHeaders, null, info, "", AccessLogType.NotSet));
  }
}
