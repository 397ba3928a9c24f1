package dev.xdsdp.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.xdsdp.dataplane.server.Options.LogLevel;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap.ApplicationLogConfig;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap.ApplicationLogConfig.LogFormat;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logging through real System.Logger / java.util.logging calls into a real --log-path file. */
class LoggingTest {

  @TempDir Path dir;

  @AfterEach
  void restoreJulDefaults() {
    Logging.reset();
  }

  private Path configure(String... extraArgs) throws Exception {
    Path log = dir.resolve("envoy.log");
    String[] args = new String[extraArgs.length + 2];
    args[0] = "--log-path";
    args[1] = log.toString();
    System.arraycopy(extraArgs, 0, args, 2, extraArgs.length);
    Options options = ((CommandLine.Parsed.Run) CommandLine.parse(args)).options();
    Logging.configure(options);
    return log;
  }

  private static List<String> lines(Path log) throws IOException {
    Logging.flush();
    return Files.readAllLines(log, StandardCharsets.UTF_8);
  }

  @Test
  void defaultFormatLooksLikeEnvoys() throws Exception {
    Path log = configure();
    System.getLogger("router").log(Level.INFO, "upstream {0} chosen", "backend");
    List<String> lines = lines(log);
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(
        lines.get(0).matches(
            "\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}]\\[\\d+]\\[info]\\[router]"
                + " upstream backend chosen"),
        lines.get(0));
    assertTrue(lines.get(0).contains("[" + Thread.currentThread().threadId() + "]"), lines.get(0));
  }

  @Test
  void levelsFromTheCommandLine() throws Exception {
    Path log = configure("-l", "warning", "--component-log-level", "upstream:debug,misc:off");
    System.getLogger("http").log(Level.INFO, "http info: hidden");
    System.getLogger("http").log(Level.WARNING, "http warning: shown");
    System.getLogger("upstream").log(Level.DEBUG, "upstream debug: shown");
    System.getLogger("upstream").log(Level.TRACE, "upstream trace: hidden");
    System.getLogger("misc").log(Level.ERROR, "misc error: hidden");
    System.getLogger("dev.xdsdp.Something").log(Level.INFO, "class-named info: hidden");
    System.getLogger("dev.xdsdp.Something").log(Level.WARNING, "class-named warning: shown");
    List<String> lines = lines(log);
    assertEquals(3, lines.size(), lines.toString());
    assertTrue(lines.get(0).endsWith("[warning][http] http warning: shown"), lines.get(0));
    assertTrue(lines.get(1).endsWith("[debug][upstream] upstream debug: shown"), lines.get(1));
    assertTrue(lines.get(2).endsWith("[warning][dev.xdsdp.Something] class-named warning: shown"));
    assertEquals(LogLevel.DEBUG, Logging.levels().get("upstream"));
    assertEquals(LogLevel.OFF, Logging.levels().get("misc"));
    assertEquals(LogLevel.WARNING, Logging.levels().get("wasm"));
  }

  @Test
  void traceLevelShowsEverything() throws Exception {
    Path log = configure("-l", "trace");
    System.getLogger("wasm").log(Level.TRACE, "t");
    java.util.logging.Logger.getLogger("wasm").finest("finest");
    assertEquals(2, lines(log).size());
    assertTrue(lines(log).get(0).contains("[trace][wasm] t"));
  }

  @Test
  void thirdPartyLoggersStayAtWarningUnlessDebugging() throws Exception {
    Path log = configure("-l", "info");
    java.util.logging.Logger netty = java.util.logging.Logger.getLogger("io.netty.channel.Pipeline");
    netty.info("netty info: hidden");
    netty.warning("netty warning: shown");
    java.util.logging.Logger.getLogger("io.grpc.internal.X").info("grpc info: hidden");
    java.util.logging.Logger.getLogger("io.vertx.core.Y").info("vertx info: hidden");
    assertEquals(1, lines(log).size(), lines(log).toString());

    Path log2 = configure("-l", "debug");
    netty.fine("netty debug: shown");
    List<String> lines = lines(log2);
    assertTrue(lines.get(lines.size() - 1).endsWith("[debug][io.netty.channel.Pipeline] netty debug: shown"));
  }

  @Test
  void nettyAndVertxFacadesLandInTheSameLog() throws Exception {
    Path log = configure("-l", "info");
    var netty = io.netty.util.internal.logging.InternalLoggerFactory.getInstance("io.netty.test.Facade");
    var vertx = io.vertx.core.internal.logging.LoggerFactory.getLogger("io.vertx.test.Facade");
    netty.info("netty facade info: hidden");
    netty.warn("netty facade warning: shown");
    vertx.info("vertx facade info: hidden");
    vertx.error("vertx facade error: shown");
    List<String> lines = lines(log);
    assertEquals(2, lines.size(), lines.toString());
    assertTrue(lines.get(0).endsWith("[warning][io.netty.test.Facade] netty facade warning: shown"),
        lines.get(0));
    assertTrue(lines.get(1).endsWith("[error][io.vertx.test.Facade] vertx facade error: shown"),
        lines.get(1));
  }

  @Test
  void levelsChangeAtRunTime() throws Exception {
    Path log = configure();
    System.getLogger("config").log(Level.DEBUG, "before: hidden");
    Logging.setLevel("config", LogLevel.DEBUG);
    System.getLogger("config").log(Level.DEBUG, "after: shown");
    Logging.setAllLevels(LogLevel.ERROR);
    System.getLogger("config").log(Level.WARNING, "all error: hidden");
    List<String> lines = lines(log);
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).endsWith("[debug][config] after: shown"));
    assertEquals(Logging.COMPONENTS, Logging.levels().keySet());
    assertTrue(Logging.levels().values().stream().allMatch(l -> l == LogLevel.ERROR));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Logging.setLevel("nope", LogLevel.INFO));
    assertEquals("unknown logger 'nope'", e.getMessage());
  }

  @Test
  void istioJsonFormatWithSourceLocation() throws Exception {
    Path log =
        configure(
            "--log-format",
            "{\"level\":\"%l\",\"time\":\"%Y-%m-%dT%T.%fZ\",\"scope\":\"envoy %n\",\"msg\":\"%j\","
                + "\"caller\":\"%g:%#\",\"thread\":%t}");
    int line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
    System.getLogger("main").log(Level.WARNING, "a \"quoted\"\nsecond line\t\\");
    List<String> lines = lines(log);
    assertEquals(1, lines.size(), lines.toString());
    JsonObject json = JsonParser.parseString(lines.get(0)).getAsJsonObject();
    assertEquals("warning", json.get("level").getAsString());
    assertEquals("envoy main", json.get("scope").getAsString());
    assertEquals("a \"quoted\"\nsecond line\t\\", json.get("msg").getAsString());
    assertEquals("dev/xdsdp/dataplane/server/LoggingTest.java:" + line, json.get("caller").getAsString());
    assertEquals(Thread.currentThread().threadId(), json.get("thread").getAsLong());
    assertTrue(json.get("time").getAsString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"));
  }

  @Test
  void escapedMessagesAndStackTraces() throws Exception {
    Path log = configure("--log-format", "%L %n %v|%_", "--log-format-escaped");
    System.getLogger("admin").log(Level.ERROR, "x\ny", new IllegalStateException("boom"));
    List<String> lines = lines(log);
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith("E admin x\\ny\\njava.lang.IllegalStateException: boom\\n\\tat "),
        lines.get(0));
    assertTrue(lines.get(0).contains("|x\\ny\\njava.lang.IllegalStateException: boom\\n\tat "),
        lines.get(0));
  }

  @Test
  void bootstrapApplicationLogConfig() throws Exception {
    Path log = configure();
    Logging.applyApplicationLogConfig(
        ApplicationLogConfig.newBuilder()
            .setLogFormat(LogFormat.newBuilder().setTextFormat("%l|%n|%v"))
            .build(),
        false,
        false);
    assertEquals("%l|%n|%v", Logging.format());
    System.getLogger("hc").log(Level.INFO, "text");

    Struct jsonFormat =
        Struct.newBuilder()
            .putFields("lvl", Value.newBuilder().setStringValue("%l").build())
            .putFields("msg", Value.newBuilder().setStringValue("%j").build())
            .build();
    Logging.applyApplicationLogConfig(
        ApplicationLogConfig.newBuilder().setLogFormat(LogFormat.newBuilder().setJsonFormat(jsonFormat)).build(),
        false,
        false);
    System.getLogger("hc").log(Level.INFO, "json \"x\"");
    List<String> lines = lines(log);
    assertEquals(List.of("info|hc|text", "{\"lvl\":\"info\",\"msg\":\"json \\\"x\\\"\"}"), lines);

    ApplicationLogConfig text =
        ApplicationLogConfig.newBuilder().setLogFormat(LogFormat.newBuilder().setTextFormat("%v")).build();
    assertEquals(
        "Only one of ApplicationLogConfig.log_format or CLI option --log-format can be specified.",
        assertThrows(IllegalArgumentException.class,
            () -> Logging.applyApplicationLogConfig(text, true, false)).getMessage());
    Struct withV =
        Struct.newBuilder().putFields("m", Value.newBuilder().setStringValue("%v").build()).build();
    assertEquals(
        "Usage of %v is unavailable for JSON log formats",
        assertThrows(IllegalArgumentException.class,
            () -> Logging.applyApplicationLogConfig(
                ApplicationLogConfig.newBuilder()
                    .setLogFormat(LogFormat.newBuilder().setJsonFormat(withV)).build(),
                false, false)).getMessage());
  }

  @Test
  void logFileIsAppendedTo() throws Exception {
    Path log = dir.resolve("envoy.log");
    Files.writeString(log, "previous line\n");
    configure();
    System.getLogger("main").log(Level.INFO, "new line");
    List<String> lines = lines(log);
    assertEquals(2, lines.size());
    assertEquals("previous line", lines.get(0));
  }

  @Test
  void unwritableLogPathFailsConfigure() throws Exception {
    Options options =
        ((CommandLine.Parsed.Run) CommandLine.parse("--log-path", dir.resolve("no/such/dir.log").toString()))
            .options();
    assertThrows(IOException.class, () -> Logging.configure(options));
  }
}
