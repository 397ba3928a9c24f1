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

  private static volatile Cached cached = new Cached(-1, "");

  private DateProvider() {}

  public static String now() {
    long ms = System.currentTimeMillis();
    long sec = ms / 1000;
    Cached c = cached;
    if (c.second != sec) {
      c = new Cached(sec, DateTimeFormatter.RFC_1123_DATE_TIME.format(
          ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(sec), ZoneOffset.UTC)));
      cached = c;
    }
    return c.value;
  }
}
