package dev.xdsdp.dataplane.http;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The {@code date} header value, formatted once per second (Envoy's TlsCachingDateProvider). */
public final class DateProvider {

  private static final class Cached {
    final long second;
    final String value;

    Cached(long second, String value) {
      this.second = second;
      this.value = value;
    }
  }

  /** RFC 9110 IMF-fixdate: always two-digit days, unlike {@code RFC_1123_DATE_TIME}. */
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US);

  private static volatile Cached cached = new Cached(-1, "");

  private DateProvider() {}

  public static String now() {
    long ms = System.currentTimeMillis();
    long sec = ms / 1000;
    Cached c = cached;
    if (c.second != sec) {
      c = new Cached(sec, HTTP_DATE.format(ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(sec), ZoneOffset.UTC)));
      cached = c;
    }
    return c.value;
  }
}
