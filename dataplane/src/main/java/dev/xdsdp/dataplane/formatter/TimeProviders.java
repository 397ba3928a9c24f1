package dev.xdsdp.dataplane.formatter;

import dev.xdsdp.api.stream.StreamInfo;
import java.time.Instant;
import java.util.Map;
import java.util.function.ToLongFunction;

/** Time operators: {@code START_TIME(fmt)} and friends, and {@code COMMON_DURATION}. */
final class TimeProviders {

  private TimeProviders() {}

  /** A wall-clock time point, printed with a {@link DateFormatter}; a string in typed JSON. */
  record SystemTime(DateFormatter formatter, ToLongFunction<StreamInfo> epochNanos)
      implements FormatterProvider {
    @Override
    public String format(FormatterContext context) {
      long t = epochNanos.applyAsLong(context.streamInfo());
      return t == Providers.MISSING ? null : formatter.format(t);
    }
  }

  static SystemTime systemTime(String format, boolean local, ToLongFunction<StreamInfo> epochNanos)
      throws FormatterException {
    // The value may end up in a header, which must not contain a newline.
    if (DateFormatter.containsNewline(format)) {
      throw new FormatterException("Invalid header configuration. Format string contains newline.");
    }
    String effective = format;
    if (format.isEmpty()) {
      effective = local ? "%Y-%m-%dT%H:%M:%E3S%z" : DateFormatter.ACCESS_LOG_FORMAT;
    }
    return new SystemTime(new DateFormatter(effective, local), epochNanos);
  }

  static long startTime(StreamInfo info) {
    return info.startTimeMillis() * 1_000_000L;
  }

  static long now(StreamInfo info) {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** {@code %COMMON_DURATION(START:END:PRECISION)%}: the time between two time points. */
  record CommonDuration(ToLongFunction<StreamInfo> start, ToLongFunction<StreamInfo> end, long divisor)
      implements FormatterProvider {
    @Override
    public String format(FormatterContext context) {
      long d = duration(context.streamInfo());
      return d == Providers.MISSING ? null : Long.toString(d);
    }

    @Override
    public Object formatValue(FormatterContext context) {
      long d = duration(context.streamInfo());
      return d == Providers.MISSING ? null : d;
    }

    private long duration(StreamInfo info) {
      long b = start.applyAsLong(info);
      long e = end.applyAsLong(info);
      if (b < 0 || e < 0 || e < b) {
        return Providers.MISSING;
      }
      return (e - b) / divisor;
    }
  }

  private static final ToLongFunction<StreamInfo> UNKNOWN_POINT = info -> -1;

  /** Envoy's time point names; each answers nanoseconds since the stream start or -1. */
  private static final Map<String, ToLongFunction<StreamInfo>> POINTS = Map.ofEntries(
      Map.entry("DS_RX_BEG", info -> 0L),
      Map.entry("DS_RX_END", StreamInfo::lastDownstreamRxByteReceived),
      Map.entry("US_CX_BEG", UNKNOWN_POINT),
      Map.entry("US_CX_END", UNKNOWN_POINT),
      Map.entry("US_HS_END", UNKNOWN_POINT),
      Map.entry("US_TX_BEG", StreamInfo::firstUpstreamTxByteSent),
      Map.entry("US_TX_END", StreamInfo::lastUpstreamTxByteSent),
      Map.entry("US_RX_BEG", StreamInfo::firstUpstreamRxByteReceived),
      Map.entry("US_RX_BODY_BEG", UNKNOWN_POINT),
      Map.entry("US_RX_END", StreamInfo::lastUpstreamRxByteReceived),
      Map.entry("DS_TX_BEG", StreamInfo::firstDownstreamTxByteSent),
      Map.entry("DS_TX_END", StreamInfo::lastDownstreamTxByteSent));

  static CommonDuration commonDuration(String arg) throws FormatterException {
    String[] parts = arg.split(":", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw new FormatterException("Invalid common duration configuration: " + arg + ".");
    }
    long divisor = 1_000_000L;
    if (parts.length == 3) {
      divisor = switch (parts[2]) {
        case "ms" -> 1_000_000L;
        case "us" -> 1_000L;
        case "ns" -> 1L;
        default -> throw new FormatterException("Invalid common duration precision: " + parts[2] + ".");
      };
    }
    // Unknown names are custom downstream timings set by filters, which are not tracked here.
    return new CommonDuration(
        POINTS.getOrDefault(parts[0], UNKNOWN_POINT), POINTS.getOrDefault(parts[1], UNKNOWN_POINT),
        divisor);
  }
}
