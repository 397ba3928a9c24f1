package dev.xdsdp.dataplane.formatter;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Envoy's {@code DateFormatter}: a strftime format (absl's {@code FormatTime}, C locale) plus
 * Envoy's {@code %s} (epoch seconds) and {@code %f}/{@code %1f}..{@code %9f}/{@code %*f}
 * (fraction of the second, truncated), and absl's {@code %E#S}/{@code %E*S}/{@code %E#f}/
 * {@code %E*f}.
 *
 * <p>As in Envoy, the parts that change only once a second are cached per second; the fraction
 * is filled in on every call. Thread-safe.
 */
final class DateFormatter {

  /** Envoy's {@code AccessLogDateTimeFormatter} format: {@code 2026-11-21T10:00:00.123Z}. */
  static final String ACCESS_LOG_FORMAT = "%Y-%m-%dT%H:%M:%E3SZ";

  private static final Pattern SPECIFIER = Pattern.compile("%[1-9*]?f|%s|%E[1-9*][Sf]");
  private static final int DYNAMIC_WIDTH = -1;

  private enum Kind {
    STRING,
    SECOND,
    ENVOY_SUBSECOND,
    ABSL_SUBSECOND_S,
    ABSL_SUBSECOND_F
  }

  private record Segment(Kind kind, String text, boolean strftime, int width) {}

  private record Cached(long epochSecond, String[] parts) {}

  private final String format;
  private final List<Segment> segments;
  private final ZoneId zone;
  private volatile Cached cached;

  DateFormatter(String format, boolean localTime) {
    this.format = format;
    this.zone = localTime ? ZoneId.systemDefault() : ZoneOffset.UTC;
    this.segments = parse(format);
  }

  String format() {
    return format;
  }

  private static List<Segment> parse(String format) {
    List<Segment> out = new ArrayList<>();
    Matcher m = SPECIFIER.matcher(format);
    int pos = 0;
    while (m.find()) {
      String prefix = format.substring(pos, m.start());
      String matched = m.group();
      Kind kind;
      int width;
      if (matched.length() == 2) {
        if (matched.charAt(1) == 's') {
          kind = Kind.SECOND;
          width = 0;
        } else {
          kind = Kind.ENVOY_SUBSECOND;
          width = 9;
        }
      } else if (matched.length() == 3) {
        kind = Kind.ENVOY_SUBSECOND;
        width = widthOf(matched.charAt(1));
      } else {
        if (matched.charAt(3) == 'S') {
          // absl prints the whole seconds; the fraction is ours so the cache can reuse the rest.
          prefix = prefix + "%S";
          kind = Kind.ABSL_SUBSECOND_S;
        } else {
          kind = Kind.ABSL_SUBSECOND_F;
        }
        width = widthOf(matched.charAt(2));
      }
      if (!prefix.isEmpty()) {
        out.add(stringSegment(prefix));
      }
      out.add(new Segment(kind, null, false, width));
      pos = m.end();
    }
    if (pos < format.length()) {
      out.add(stringSegment(format.substring(pos)));
    }
    return List.copyOf(out);
  }

  private static Segment stringSegment(String s) {
    return new Segment(Kind.STRING, s, s.indexOf('%') >= 0, 0);
  }

  private static int widthOf(char c) {
    return c == '*' ? DYNAMIC_WIDTH : c - '0';
  }

  /** {@code epochNanos} formatted. */
  String format(long epochNanos) {
    if (segments.isEmpty()) {
      return "";
    }
    long epochSecond = Math.floorDiv(epochNanos, 1_000_000_000L);
    int nanos = (int) Math.floorMod(epochNanos, 1_000_000_000L);
    Cached c = cached;
    if (c == null || c.epochSecond != epochSecond) {
      c = new Cached(epochSecond, secondParts(epochSecond));
      cached = c;
    }
    StringBuilder sb = new StringBuilder(32);
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      if (s.kind == Kind.STRING || s.kind == Kind.SECOND) {
        sb.append(c.parts[i]);
      } else {
        appendSubseconds(sb, s, nanos);
      }
    }
    return sb.toString();
  }

  private String[] secondParts(long epochSecond) {
    String[] parts = new String[segments.size()];
    ZonedDateTime t = null;
    for (int i = 0; i < parts.length; i++) {
      Segment s = segments.get(i);
      if (s.kind == Kind.SECOND) {
        parts[i] = Long.toString(epochSecond);
      } else if (s.kind == Kind.STRING) {
        if (s.strftime) {
          if (t == null) {
            t = Instant.ofEpochSecond(epochSecond).atZone(zone);
          }
          parts[i] = strftime(s.text, t);
        } else {
          parts[i] = s.text;
        }
      }
    }
    return parts;
  }

  private static void appendSubseconds(StringBuilder sb, Segment s, int nanos) {
    String digits = nineDigits(nanos);
    int width = s.width;
    if (width == DYNAMIC_WIDTH) {
      int last = digits.length() - 1;
      while (last >= 0 && digits.charAt(last) == '0') {
        last--;
      }
      width = last + 1;
    }
    if (s.kind == Kind.ABSL_SUBSECOND_S) {
      if (width > 0) {
        sb.append('.').append(digits, 0, width);
      }
      return;
    }
    // %f-style specifiers print at least one digit even when the fraction is zero.
    sb.append(digits, 0, Math.max(width, 1));
  }

  private static String nineDigits(int nanos) {
    String s = Integer.toString(nanos);
    return s.length() == 9 ? s : "0".repeat(9 - s.length()) + s;
  }

  /** strftime in the C locale over {@code t}, with absl's {@code %Ez} and {@code %E4Y}. */
  static String strftime(String fmt, ZonedDateTime t) {
    StringBuilder out = new StringBuilder(fmt.length() + 16);
    int n = fmt.length();
    for (int i = 0; i < n; i++) {
      char c = fmt.charAt(i);
      if (c != '%' || i + 1 >= n) {
        out.append(c);
        continue;
      }
      int start = i;
      int j = i + 1;
      char pad = 0; // 0: default, '-': none, '_': spaces, '0': zeros
      while (j < n && (fmt.charAt(j) == '-' || fmt.charAt(j) == '_' || fmt.charAt(j) == '0'
          || fmt.charAt(j) == '^' || fmt.charAt(j) == '#')) {
        char f = fmt.charAt(j);
        if (f == '-' || f == '_' || f == '0') {
          pad = f;
        }
        j++;
      }
      boolean modE = false;
      if (j < n && (fmt.charAt(j) == 'E' || fmt.charAt(j) == 'O')) {
        modE = fmt.charAt(j) == 'E';
        // absl extensions: %Ez, %E*z, %E4Y.
        if (modE && j + 1 < n && fmt.charAt(j + 1) == 'z') {
          appendOffset(out, t, true);
          i = j + 1;
          continue;
        }
        if (modE && j + 2 < n && fmt.charAt(j + 1) == '*' && fmt.charAt(j + 2) == 'z') {
          appendOffset(out, t, true);
          i = j + 2;
          continue;
        }
        if (modE && j + 2 < n && fmt.charAt(j + 1) == '4' && fmt.charAt(j + 2) == 'Y') {
          num(out, t.getYear(), 4, '0', pad);
          i = j + 2;
          continue;
        }
        j++;
      }
      if (j >= n) {
        out.append(fmt, start, n);
        break;
      }
      char conv = fmt.charAt(j);
      i = j;
      if (!appendConversion(out, conv, t, pad)) {
        out.append(fmt, start, j + 1);
      }
    }
    return out.toString();
  }

  private static boolean appendConversion(StringBuilder out, char conv, ZonedDateTime t, char pad) {
    switch (conv) {
      case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US));
      case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US));
      case 'b', 'h' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US));
      case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.US));
      case 'c' -> out.append(strftime("%a %b %e %H:%M:%S %Y", t));
      case 'C' -> num(out, Math.floorDiv(t.getYear(), 100), 2, '0', pad);
      case 'd' -> num(out, t.getDayOfMonth(), 2, '0', pad);
      case 'D', 'x' -> out.append(strftime("%m/%d/%y", t));
      case 'e' -> num(out, t.getDayOfMonth(), 2, ' ', pad);
      case 'F' -> out.append(strftime("%Y-%m-%d", t));
      case 'g' -> num(out, Math.floorMod(t.get(IsoFields.WEEK_BASED_YEAR), 100), 2, '0', pad);
      case 'G' -> out.append(t.get(IsoFields.WEEK_BASED_YEAR));
      case 'H' -> num(out, t.getHour(), 2, '0', pad);
      case 'I' -> num(out, hour12(t), 2, '0', pad);
      case 'j' -> num(out, t.getDayOfYear(), 3, '0', pad);
      case 'k' -> num(out, t.getHour(), 2, ' ', pad);
      case 'l' -> num(out, hour12(t), 2, ' ', pad);
      case 'm' -> num(out, t.getMonthValue(), 2, '0', pad);
      case 'M' -> num(out, t.getMinute(), 2, '0', pad);
      case 'n' -> out.append('\n');
      case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
      case 'P' -> out.append(t.getHour() < 12 ? "am" : "pm");
      case 'r' -> out.append(strftime("%I:%M:%S %p", t));
      case 'R' -> out.append(strftime("%H:%M", t));
      case 's' -> out.append(t.toEpochSecond());
      case 'S' -> num(out, t.getSecond(), 2, '0', pad);
      case 't' -> out.append('\t');
      case 'T', 'X' -> out.append(strftime("%H:%M:%S", t));
      case 'u' -> out.append(t.getDayOfWeek().getValue());
      case 'U' -> num(out, weekOfYear(t, DayOfWeek.SUNDAY), 2, '0', pad);
      case 'V' -> num(out, t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, '0', pad);
      case 'w' -> out.append(t.getDayOfWeek().getValue() % 7);
      case 'W' -> num(out, weekOfYear(t, DayOfWeek.MONDAY), 2, '0', pad);
      case 'y' -> num(out, Math.floorMod(t.getYear(), 100), 2, '0', pad);
      case 'Y' -> out.append(t.getYear());
      case 'z' -> appendOffset(out, t, false);
      case 'Z' -> out.append(zoneAbbreviation(t));
      case '%' -> out.append('%');
      default -> {
        return false;
      }
    }
    return true;
  }

  private static int hour12(ZonedDateTime t) {
    int h = t.getHour() % 12;
    return h == 0 ? 12 : h;
  }

  /** %U / %W: weeks starting on {@code first}; days before the first such day are week 0. */
  private static int weekOfYear(ZonedDateTime t, DayOfWeek first) {
    int yday = t.getDayOfYear() - 1;
    int wday = t.getDayOfWeek().getValue() % 7; // Sunday = 0
    int firstIndex = first == DayOfWeek.SUNDAY ? 0 : 1;
    return (yday + 7 - ((wday - firstIndex + 7) % 7)) / 7;
  }

  private static void num(StringBuilder out, long v, int width, char defaultPad, char flag) {
    String s = Long.toString(v);
    char padChar = switch (flag) {
      case '-' -> 0;
      case '_' -> ' ';
      case '0' -> '0';
      default -> defaultPad;
    };
    if (padChar != 0) {
      for (int k = s.length(); k < width; k++) {
        out.append(padChar);
      }
    }
    out.append(s);
  }

  private static void appendOffset(StringBuilder out, ZonedDateTime t, boolean colon) {
    int total = t.getOffset().getTotalSeconds();
    out.append(total < 0 ? '-' : '+');
    total = Math.abs(total);
    num(out, total / 3600, 2, '0', (char) 0);
    if (colon) {
      out.append(':');
    }
    num(out, (total / 60) % 60, 2, '0', (char) 0);
  }

  private static String zoneAbbreviation(ZonedDateTime t) {
    if (t.getZone().equals(ZoneOffset.UTC)) {
      return "UTC";
    }
    return t.getZone().getDisplayName(TextStyle.SHORT, Locale.US);
  }

  /** Whether a strftime-style format asks for a newline ({@code %n} with any flags). */
  static boolean containsNewline(String format) {
    return NEWLINE.matcher(format).find();
  }

  private static final Pattern NEWLINE = Pattern.compile("%[-_0^#]*[1-9]*(E|O)?n");
}
