package dev.xdsdp.dataplane.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * An spdlog pattern ({@code --log-format}) compiled for java.util.logging records, so that log
 * lines look as Envoy's do. Supports spdlog's flags ({@code %Y %m %d %H %M %S %e %f %F %T %D %z
 * %E %a %A %b %B %c %C %p %r %R %I %l %L %n %t %P %v %@ %s %g %# %! %o %i %u %O %%}, color
 * markers ignored), spdlog's padding ({@code %8l}, {@code %-8l}, {@code %=8l}, {@code %8!l}), and
 * Envoy's own: {@code %_} (message, newlines escaped), {@code %j} (message as a JSON string body),
 * {@code %+} (likewise, Envoy's tag-free message) and {@code %*} (log tags, always empty here).
 * An unknown flag prints as written, as in spdlog.
 *
 * <p>Immutable except for the time of the previous record that the elapsed-time flags need;
 * callers serialise {@link #format} (the handler does).
 */
final class LogFormat extends java.util.logging.Formatter {

  private static final long PID = ProcessHandle.current().pid();
  private static final String[] SHORT_LEVELS = {"T", "D", "I", "W", "E", "C", "O"};

  private final String pattern;
  private final boolean escapeMessage;
  private final List<Part> parts;
  private final boolean needsSource;
  private long previousNanos = -1;

  private record Part(char flag, String literal, int width, char align, boolean truncate) {}

  private LogFormat(String pattern, boolean escapeMessage, List<Part> parts) {
    this.pattern = pattern;
    this.escapeMessage = escapeMessage;
    this.parts = parts;
    boolean source = false;
    for (Part p : parts) {
      source |= p.literal == null && "@sg#!".indexOf(p.flag) >= 0;
    }
    this.needsSource = source;
  }

  /**
   * Compiles {@code pattern}. With {@code escapeMessage} ({@code --log-format-escaped}) the
   * message's C-style escapes (newlines, tabs, quotes, control characters) are escaped in {@code
   * %v}.
   */
  static LogFormat compile(String pattern, boolean escapeMessage) {
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (c != '%' || i + 1 >= pattern.length()) {
        literal.append(c);
        i++;
        continue;
      }
      int j = i + 1;
      char align = '>';
      if (pattern.charAt(j) == '-' || pattern.charAt(j) == '=') {
        align = pattern.charAt(j) == '-' ? '<' : '=';
        j++;
      }
      int width = 0;
      while (j < pattern.length() && Character.isDigit(pattern.charAt(j)) && width < 128) {
        width = width * 10 + (pattern.charAt(j) - '0');
        j++;
      }
      boolean truncate = false;
      if (width > 0 && j < pattern.length() && pattern.charAt(j) == '!') {
        truncate = true;
        j++;
      }
      if (j >= pattern.length()) {
        literal.append(pattern, i, pattern.length());
        break;
      }
      char flag = pattern.charAt(j);
      if (flag == '%') {
        literal.append('%');
      } else {
        if (!literal.isEmpty()) {
          parts.add(new Part('\0', literal.toString(), 0, '>', false));
          literal.setLength(0);
        }
        if (flag != '^' && flag != '$') { // color range markers: no colors here
          parts.add(new Part(flag, null, width, align, truncate));
        }
      }
      i = j + 1;
    }
    if (!literal.isEmpty()) {
      parts.add(new Part('\0', literal.toString(), 0, '>', false));
    }
    return new LogFormat(pattern, escapeMessage, List.copyOf(parts));
  }

  String pattern() {
    return pattern;
  }

  /** One log line, with its trailing newline. */
  @Override
  public String format(LogRecord record) {
    String message = message(record);
    ZonedDateTime time = null;
    StackWalker.StackFrame source = needsSource ? sourceFrame(record) : null;
    StringBuilder out = new StringBuilder(64 + message.length());
    long nanos = record.getInstant().getEpochSecond() * 1_000_000_000L + record.getInstant().getNano();
    long elapsed = previousNanos < 0 ? 0 : Math.max(0, nanos - previousNanos);
    previousNanos = nanos;
    for (Part p : parts) {
      if (p.literal != null) {
        out.append(p.literal);
        continue;
      }
      if (time == null && "YmdHMSefFTDxXzaAbhBcCpRrI".indexOf(p.flag) >= 0) {
        time = ZonedDateTime.ofInstant(record.getInstant(), ZoneId.systemDefault());
      }
      String value =
          switch (p.flag) {
            case 'v' -> escapeMessage ? cEscape(message) : message;
            case '_' -> message.replace("\n", "\\n");
            case 'j', '+' -> jsonEscape(message);
            case '*' -> "";
            case 't' -> Long.toString(record.getLongThreadID());
            case 'P' -> Long.toString(PID);
            case 'n' -> String.valueOf(record.getLoggerName());
            case 'l' -> levelName(record.getLevel());
            case 'L' -> SHORT_LEVELS[levelIndex(record.getLevel())];
            case 'Y' -> Integer.toString(time.getYear());
            case 'C' -> two(time.getYear() % 100);
            case 'm' -> two(time.getMonthValue());
            case 'd' -> two(time.getDayOfMonth());
            case 'H' -> two(time.getHour());
            case 'I' -> two(hour12(time));
            case 'M' -> two(time.getMinute());
            case 'S' -> two(time.getSecond());
            case 'e' -> pad(time.getNano() / 1_000_000, 3);
            case 'f' -> pad(time.getNano() / 1_000, 6);
            case 'F' -> pad(time.getNano(), 9);
            case 'p' -> time.getHour() < 12 ? "AM" : "PM";
            case 'T', 'X' -> two(time.getHour()) + ":" + two(time.getMinute()) + ":"
                + two(time.getSecond());
            case 'R' -> two(time.getHour()) + ":" + two(time.getMinute());
            case 'r' -> two(hour12(time)) + ":" + two(time.getMinute()) + ":"
                + two(time.getSecond()) + " " + (time.getHour() < 12 ? "AM" : "PM");
            case 'D', 'x' -> two(time.getMonthValue()) + "/" + two(time.getDayOfMonth()) + "/"
                + two(time.getYear() % 100);
            case 'z' -> offset(time);
            case 'E' -> Long.toString(record.getInstant().getEpochSecond());
            case 'a' -> time.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A' -> time.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'b', 'h' -> time.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> time.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'c' -> time.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH) + " "
                + time.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH) + " "
                + two(time.getDayOfMonth()) + " " + two(time.getHour()) + ":"
                + two(time.getMinute()) + ":" + two(time.getSecond()) + " " + time.getYear();
            case 'o' -> Long.toString(elapsed / 1_000_000);
            case 'i' -> Long.toString(elapsed / 1_000);
            case 'u' -> Long.toString(elapsed);
            case 'O' -> Long.toString(elapsed / 1_000_000_000);
            case 'g' -> source == null ? "" : sourcePath(source);
            case 's' -> source == null ? "" : String.valueOf(source.getFileName());
            case '#' -> source == null ? "" : Integer.toString(source.getLineNumber());
            case '!' -> source == null ? "" : source.getMethodName();
            case '@' -> source == null ? "" : source.getFileName() + ":" + source.getLineNumber();
            default -> "%" + p.flag; // spdlog prints an unknown flag as written
          };
      appendPadded(out, value, p);
    }
    return out.append('\n').toString();
  }

  private String message(LogRecord record) {
    String message = formatMessage(record);
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      String t = trace.toString().stripTrailing();
      message = message == null || message.isEmpty() ? t : message + "\n" + t;
    }
    return message == null ? "" : message;
  }

  private static void appendPadded(StringBuilder out, String value, Part p) {
    if (p.width <= 0 || value.length() == p.width) {
      out.append(value);
      return;
    }
    if (value.length() > p.width) {
      out.append(p.truncate ? value.substring(0, p.width) : value);
      return;
    }
    int fill = p.width - value.length();
    switch (p.align) {
      case '<' -> out.append(value).append(" ".repeat(fill));
      case '=' -> out.append(" ".repeat(fill / 2)).append(value).append(" ".repeat(fill - fill / 2));
      default -> out.append(" ".repeat(fill)).append(value);
    }
  }

  /** spdlog's level name for a java.util.logging level (see {@link Options.LogLevel}). */
  static String levelName(Level level) {
    return switch (levelIndex(level)) {
      case 0 -> "trace";
      case 1 -> "debug";
      case 2 -> "info";
      case 3 -> "warning";
      case 4 -> "error";
      case 5 -> "critical";
      default -> "off";
    };
  }

  private static int levelIndex(Level level) {
    int v = level.intValue();
    if (v == Level.OFF.intValue()) {
      return 6;
    }
    if (v > Level.SEVERE.intValue()) {
      return 5;
    }
    if (v >= Level.SEVERE.intValue()) {
      return 4;
    }
    if (v >= Level.WARNING.intValue()) {
      return 3;
    }
    if (v >= Level.INFO.intValue()) {
      return 2;
    }
    if (v >= Level.FINE.intValue()) {
      return 1;
    }
    return 0;
  }

  private static int hour12(ZonedDateTime t) {
    int h = t.getHour() % 12;
    return h == 0 ? 12 : h;
  }

  private static String two(int n) {
    return n < 10 ? "0" + n : Integer.toString(n);
  }

  private static String pad(int n, int digits) {
    String s = Integer.toString(n);
    return "0".repeat(Math.max(0, digits - s.length())) + s;
  }

  private static String offset(ZonedDateTime t) {
    int total = t.getOffset().getTotalSeconds() / 60;
    char sign = total < 0 ? '-' : '+';
    total = Math.abs(total);
    return sign + two(total / 60) + ":" + two(total % 60);
  }

  /**
   * The frame that logged: the first frame of the class and method java.util.logging inferred
   * (which already skips the logging and System.Logger bridge frames). Only computed when the
   * pattern asks for a source location, since walking the stack is not free.
   */
  private static StackWalker.StackFrame sourceFrame(LogRecord record) {
    String cls = record.getSourceClassName();
    String method = record.getSourceMethodName();
    if (cls == null) {
      return null;
    }
    return StackWalker.getInstance()
        .walk(s -> s.filter(f -> f.getClassName().equals(cls)
                && (method == null || f.getMethodName().equals(method)))
            .findFirst()
            .orElse(null));
  }

  private static String sourcePath(StackWalker.StackFrame f) {
    String cls = f.getClassName();
    int dot = cls.lastIndexOf('.');
    String dir = dot < 0 ? "" : cls.substring(0, dot).replace('.', '/') + "/";
    return dir + (f.getFileName() == null ? cls.substring(dot + 1) + ".java" : f.getFileName());
  }

  /** The body of a JSON string for {@code s} (Envoy's {@code %j}). */
  static String jsonEscape(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep =
          switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            default -> c < 0x20 ? String.format("\\u%04x", (int) c) : null;
          };
      if (rep != null && out == null) {
        out = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (out != null) {
        if (rep != null) {
          out.append(rep);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? s : out.toString();
  }

  /** C-style escaping of a message ({@code --log-format-escaped}, absl::CEscape). */
  static String cEscape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '"' -> out.append("\\\"");
        case '\'' -> out.append("\\'");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append('\\').append(String.format("%03o", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
