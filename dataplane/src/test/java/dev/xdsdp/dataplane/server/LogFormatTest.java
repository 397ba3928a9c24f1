package dev.xdsdp.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The spdlog pattern flags, one by one, on a record with a fixed time and thread. */
class LogFormatTest {

  private static final Instant T = Instant.parse("2024-03-07T15:04:05.123456789Z");
  private static final ZonedDateTime LOCAL = ZonedDateTime.ofInstant(T, ZoneId.systemDefault());

  private static LogRecord record(Level level, String message) {
    LogRecord r = new LogRecord(level, message);
    r.setInstant(T);
    r.setLoggerName("upstream");
    r.setLongThreadID(42);
    return r;
  }

  private static String format(String pattern, Level level, String message) {
    String line = LogFormat.compile(pattern, false).format(record(level, message));
    assertEquals('\n', line.charAt(line.length() - 1));
    return line.substring(0, line.length() - 1);
  }

  private static String local(String javaPattern) {
    return LOCAL.format(DateTimeFormatter.ofPattern(javaPattern, Locale.ENGLISH));
  }

  @Test
  void dateAndTimeFlags() {
    assertEquals(local("yyyy-MM-dd HH:mm:ss.SSS"), format("%Y-%m-%d %T.%e", Level.INFO, "m"));
    assertEquals(local("HH:mm:ss.SSSSSS"), format("%H:%M:%S.%f", Level.INFO, "m"));
    assertEquals(local("ss.SSSSSSSSS"), format("%S.%F", Level.INFO, "m"));
    assertEquals(local("MM/dd/yy|MM/dd/yy|yy"), format("%D|%x|%C", Level.INFO, "m"));
    assertEquals(local("EEE EEEE MMM MMMM"), format("%a %A %b %B", Level.INFO, "m"));
    assertEquals(local("hh:mm:ss a|HH:mm|hh|a"), format("%r|%R|%I|%p", Level.INFO, "m"));
    assertEquals(local("xxx"), format("%z", Level.INFO, "m"));
    assertEquals(Long.toString(T.getEpochSecond()), format("%E", Level.INFO, "m"));
    assertEquals(local("EEE MMM dd HH:mm:ss yyyy"), format("%c", Level.INFO, "m"));
  }

  @Test
  void recordFlags() {
    assertEquals("[42][info][upstream] hi", format("[%t][%l][%n] %v", Level.INFO, "hi"));
    assertEquals("T D D I W E O", String.join(" ",
        format("%L", Level.FINEST, "m"), format("%L", Level.FINE, "m"),
        format("%L", Level.CONFIG, "m"), format("%L", Level.INFO, "m"),
        format("%L", Level.WARNING, "m"), format("%L", Level.SEVERE, "m"),
        format("%L", Level.OFF, "m")));
    assertEquals(Long.toString(ProcessHandle.current().pid()), format("%P", Level.INFO, "m"));
    assertEquals("100% sure %q", format("100%% sure %q", Level.INFO, "m"));
    assertEquals("plain", format("%^plain%$", Level.INFO, "m"));
    assertEquals("", format("%*", Level.INFO, "m"));
  }

  @Test
  void messageFlags() {
    String msg = "say \"hi\"\n\tnow\\";
    assertEquals(msg, format("%v", Level.INFO, msg));
    assertEquals("say \"hi\"\\n\tnow\\", format("%_", Level.INFO, msg));
    assertEquals("say \\\"hi\\\"\\n\\tnow\\\\", format("%j", Level.INFO, msg));
    assertEquals("say \\\"hi\\\"\\n\\tnow\\\\", format("%+", Level.INFO, msg));
    assertEquals("say \\\"hi\\\"\\n\\tnow\\\\",
        LogFormat.compile("%v", true).format(record(Level.INFO, msg)).stripTrailing());
    assertEquals("\\u0001", LogFormat.jsonEscape("\u0001"));
    assertEquals("\\001", LogFormat.cEscape("\u0001"));
  }

  @Test
  void paddingAlignmentAndTruncation() {
    assertEquals("[    info]", format("[%8l]", Level.INFO, "m"));
    assertEquals("[info    ]", format("[%-8l]", Level.INFO, "m"));
    assertEquals("[  info  ]", format("[%=8l]", Level.INFO, "m"));
    assertEquals("[ups]", format("[%3!n]", Level.INFO, "m"));
    assertEquals("[upstream]", format("[%3n]", Level.INFO, "m"));
  }

  @Test
  void messageParametersAreFormatted() {
    LogRecord r = record(Level.INFO, "{0} + {1}");
    r.setParameters(new Object[] {1, "two"});
    assertEquals("1 + two\n", LogFormat.compile("%v", false).format(r));
  }
}
