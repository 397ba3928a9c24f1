package dev.xdsdp.dataplane.formatter;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.api.stream.StreamInfo;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/** The small provider shapes most command operators are built from. */
final class Providers {

  private Providers() {}

  /** Cuts {@code s} to {@code maxLength} characters; a negative length means no limit. */
  static String truncate(String s, int maxLength) {
    return maxLength >= 0 && s.length() > maxLength ? s.substring(0, maxLength) : s;
  }

  /** A literal piece of the format string. */
  record Literal(String text) implements FormatterProvider {
    @Override
    public String format(FormatterContext context) {
      return text;
    }
  }

  /** A string operator; a null result is a missing value. */
  record Text(Function<FormatterContext, String> extractor) implements FormatterProvider {
    @Override
    public String format(FormatterContext context) {
      return extractor.apply(context);
    }
  }

  /** A string operator reading only the stream info. */
  static Text info(Function<StreamInfo, String> extractor) {
    return new Text(ctx -> extractor.apply(ctx.streamInfo()));
  }

  /** A number that is never missing (counters, codes); a number in typed JSON. */
  record Number(ToLongFunction<FormatterContext> extractor) implements FormatterProvider {
    @Override
    public String format(FormatterContext context) {
      return Long.toString(extractor.applyAsLong(context));
    }

    @Override
    public Object formatValue(FormatterContext context) {
      return extractor.applyAsLong(context);
    }
  }

  static Number infoNumber(ToLongFunction<StreamInfo> extractor) {
    return new Number(ctx -> extractor.applyAsLong(ctx.streamInfo()));
  }

  /**
   * A duration in whole milliseconds (truncated, as Envoy's {@code duration_cast}) from a
   * nanosecond extractor; a negative answer (StreamInfo's -1, or {@link #MISSING}) means the
   * event has not happened.
   */
  record Millis(ToLongFunction<StreamInfo> nanos) implements FormatterProvider {
    @Override
    public String format(FormatterContext context) {
      long n = nanos.applyAsLong(context.streamInfo());
      return n < 0 ? null : Long.toString(n / 1_000_000L);
    }

    @Override
    public Object formatValue(FormatterContext context) {
      long n = nanos.applyAsLong(context.streamInfo());
      return n < 0 ? null : n / 1_000_000L;
    }
  }

  /** A time point or duration that is not known. */
  static final long MISSING = Long.MIN_VALUE;

  /** How an address operator prints. */
  enum AddressPart {
    WITH_PORT,
    WITHOUT_PORT,
    JUST_PORT
  }

  /** An address operator; a missing address is a missing value. */
  record AddressValue(Function<StreamInfo, Address> extractor, AddressPart part)
      implements FormatterProvider {
    @Override
    public String format(FormatterContext context) {
      Address a = extractor.apply(context.streamInfo());
      if (a == null) {
        return null;
      }
      return switch (part) {
        case WITH_PORT -> a.toString();
        case WITHOUT_PORT -> a.host();
        // Envoy prints an empty port (not "-") for a pipe.
        case JUST_PORT -> a.isPipe() ? "" : Integer.toString(a.port());
      };
    }

    @Override
    public Object formatValue(FormatterContext context) {
      Address a = extractor.apply(context.streamInfo());
      if (a == null) {
        return null;
      }
      if (part == AddressPart.JUST_PORT) {
        return a.isPipe() ? null : (Object) (long) a.port();
      }
      return format(context);
    }
  }

  /** Which header map a header operator reads. */
  enum HeaderSource {
    REQUEST,
    RESPONSE,
    TRAILERS,
    STREAM_INFO_REQUEST
  }

  /** {@code %REQ(X?Y):Z%} and its siblings. */
  record Header(HeaderSource source, String main, String alternative, int maxLength)
      implements FormatterProvider {
    @Override
    public String format(FormatterContext context) {
      HeaderMap headers = switch (source) {
        case REQUEST -> context.requestHeaders();
        case RESPONSE -> context.responseHeaders();
        case TRAILERS -> context.responseTrailers();
        case STREAM_INFO_REQUEST -> context.streamInfo().requestHeaders();
      };
      if (headers == null) {
        return null;
      }
      String v = headers.get(main);
      if (v == null && !alternative.isEmpty()) {
        v = headers.get(alternative);
      }
      return v == null ? null : truncate(v, maxLength);
    }
  }

  /** A value fixed when the format is parsed ({@code %HOSTNAME%}, {@code %ENVIRONMENT(X)%}). */
  record Constant(String value) implements FormatterProvider {
    @Override
    public String format(FormatterContext context) {
      return value;
    }
  }

  /** A value Envoy would print but this data plane does not track yet: always missing. */
  record Unavailable(String command) implements FormatterProvider {
    @Override
    public String format(FormatterContext context) {
      return null;
    }
  }

  /** A byte count this data plane does not meter yet; Envoy prints 0 without a bytes meter. */
  static Number zero() {
    return new Number(ctx -> 0);
  }
}
