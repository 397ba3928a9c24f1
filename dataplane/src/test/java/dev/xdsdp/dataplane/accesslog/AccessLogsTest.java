package dev.xdsdp.dataplane.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.formatter.FormatterContext;
import dev.xdsdp.dataplane.formatter.TestStreams;
import dev.xdsdp.dataplane.http.StreamInfoImpl;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StderrAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogsTest {

  private static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(FileAccessLog.getDescriptor())
      .add(StdoutAccessLog.getDescriptor())
      .add(StderrAccessLog.getDescriptor())
      .add(com.github.xds.type.v3.TypedStruct.getDescriptor())
      .add(com.github.udpa.udpa.type.v1.TypedStruct.getDescriptor())
      .build();

  @TempDir Path dir;
  private AccessLogManager manager;
  private AccessLogs accessLogs;

  @BeforeEach
  void setUp() {
    manager = new AccessLogManager(Duration.ofMinutes(10), null);
    accessLogs = new AccessLogs(manager);
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  /** An HCM-style {@code access_log} list, written as an operator would in JSON. */
  private static List<AccessLog> configs(String json) throws Exception {
    List<AccessLog> out = new ArrayList<>();
    com.google.gson.JsonArray array = com.google.gson.JsonParser.parseString(json).getAsJsonArray();
    for (var element : array) {
      AccessLog.Builder b = AccessLog.newBuilder();
      JsonFormat.parser().usingTypeRegistry(TYPES).merge(element.toString(), b);
      out.add(b.build());
    }
    return out;
  }

  private void log(List<AccessLogger> loggers, StreamInfo info) {
    AccessLogs.logAll(loggers, FormatterContext.of(info));
    manager.flush();
  }

  @Test
  void fileLoggersWriteFormattedEntries() throws Exception {
    Path text = dir.resolve("text.log");
    Path json = dir.resolve("json.log");
    Path def = dir.resolve("default.log");
    List<AccessLogger> loggers = accessLogs.create(configs("""
        [
          {"name": "envoy.access_loggers.file",
           "typed_config": {
             "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
             "path": "%s",
             "log_format": {"text_format_source": {
               "inline_string": "%%RESPONSE_CODE%% %%REQ(:PATH)%% %%UPSTREAM_CLUSTER%%\\n"}}}},
          {"name": "json",
           "typed_config": {
             "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
             "path": "%s",
             "log_format": {"json_format": {"code": "%%RESPONSE_CODE%%", "flags": "%%RESPONSE_FLAGS%%",
                                            "route": {"name": "%%ROUTE_NAME%%"}}}}},
          {"name": "envoy.access_loggers.file",
           "typed_config": {
             "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
             "path": "%s"}}
        ]""".formatted(text, json, def)));
    assertEquals(3, loggers.size());
    log(loggers, TestStreams.timed());
    assertEquals("200 /api/v1/locations?x=1 backend\n", Files.readString(text));
    assertEquals("{\"code\":200,\"flags\":\"UH,URX\",\"route\":{\"name\":\"route_a\"}}\n",
        Files.readString(json));
    assertEquals("[2026-11-21T10:00:00.123Z] \"POST /api/v1/locations?x=1 HTTP/1.1\" 200 UH,URX 154 "
        + "226 32 100 \"10.0.35.28\" \"nsq2http\" \"cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2\" "
        + "\"locations\" \"10.1.2.3:8080\"\n", Files.readString(def));
  }

  @Test
  void deprecatedFormatFieldsStillWork() throws Exception {
    Path a = dir.resolve("a.log");
    Path b = dir.resolve("b.log");
    Path c = dir.resolve("c.log");
    List<AccessLogger> loggers = accessLogs.create(configs("""
        [
          {"name": "envoy.file_access_log", "typed_config": {
             "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
             "path": "%s", "format": "%%PROTOCOL%%|%%BYTES_SENT%%\\n"}},
          {"typed_config": {
             "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
             "path": "%s", "json_format": {"sent": "%%BYTES_SENT%%"}}},
          {"typed_config": {
             "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
             "path": "%s", "typed_json_format": {"sent": "%%BYTES_SENT%%", "p": "%%PROTOCOL%%"}}}
        ]""".formatted(a, b, c)));
    log(loggers, TestStreams.filled());
    assertEquals("HTTP/1.1|226\n", Files.readString(a));
    assertEquals("{\"sent\":226}\n", Files.readString(b));
    assertEquals("{\"p\":\"HTTP/1.1\",\"sent\":226}\n", Files.readString(c));
  }

  @Test
  void filtersDecideWhatIsLogged() throws Exception {
    Path errors = dir.resolve("errors.log");
    List<AccessLogger> loggers = accessLogs.create(configs("""
        [{"name": "errors",
          "filter": {"status_code_filter": {"comparison": {"op": "GE",
                       "value": {"default_value": 500, "runtime_key": "access_log.errors"}}}},
          "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
            "path": "%s", "log_format": {"text_format": "%%RESPONSE_CODE%% %%RESPONSE_CODE_DETAILS%%\\n"}}}]
        """.formatted(errors)));
    StreamInfoImpl ok = TestStreams.filled();
    StreamInfoImpl failed = TestStreams.filled();
    failed.setResponseCode(503);
    failed.setResponseCodeDetails("upstream_reset_before_response_started{connection_failure}");
    log(loggers, ok);
    log(loggers, failed);
    assertEquals("503 upstream_reset_before_response_started{connection_failure}\n",
        Files.readString(errors));
  }

  @Test
  void typedStructWrappedConfigsAreAccepted() throws Exception {
    Path xds = dir.resolve("xds.log");
    Path udpa = dir.resolve("udpa.log");
    List<AccessLogger> loggers = accessLogs.create(configs("""
        [{"name": "envoy.access_loggers.file", "typed_config": {
            "@type": "type.googleapis.com/xds.type.v3.TypedStruct",
            "type_url": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
            "value": {"path": "%s", "log_format": {"text_format": "xds %%ROUTE_NAME%%\\n"}}}},
         {"name": "envoy.access_loggers.file", "typed_config": {
            "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
            "type_url": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
            "value": {"path": "%s", "log_format": {"text_format": "udpa %%ROUTE_NAME%%\\n"}}}}]
        """.formatted(xds, udpa)));
    log(loggers, TestStreams.filled());
    assertEquals("xds route_a\n", Files.readString(xds));
    assertEquals("udpa route_a\n", Files.readString(udpa));
  }

  @Test
  void stdoutAndStderrLoggers() throws Exception {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      List<AccessLogger> loggers = accessLogs.create(configs("""
          [{"name": "envoy.access_loggers.stdout", "typed_config": {
              "@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
              "log_format": {"json_format": {"route": "%ROUTE_NAME%"}}}},
           {"name": "envoy.access_loggers.stderr", "typed_config": {
              "@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StderrAccessLog",
              "log_format": {"text_format": "err %ROUTE_NAME%\\n"}}},
           {"name": "envoy.access_loggers.stdout"}]
          """));
      log(loggers, TestStreams.timed());
      assertEquals("{\"route\":\"route_a\"}\n[2026-11-21T10:00:00.123Z] \"POST /api/v1/locations?x=1 "
          + "HTTP/1.1\" 200 UH,URX 154 226 32 100 \"10.0.35.28\" \"nsq2http\" "
          + "\"cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2\" \"locations\" \"10.1.2.3:8080\"\n",
          out.toString(StandardCharsets.UTF_8));
      assertEquals("err route_a\n", err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }

  @Test
  void loggersOfTheSamePathShareOneWriter() throws Exception {
    Path shared = dir.resolve("shared.log");
    String one = """
        {"typed_config": {
           "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
           "path": "%s", "log_format": {"text_format": "%s %%ROUTE_NAME%%\\n"}}}""";
    List<AccessLogger> first = accessLogs.create(configs("[" + one.formatted(shared, "one") + "]"));
    List<AccessLogger> second = accessLogs.create(configs("[" + one.formatted(shared, "two") + "]"));
    assertEquals(((FormattedAccessLogger) first.get(0)).file(),
        ((FormattedAccessLogger) second.get(0)).file());
    log(first, TestStreams.filled());
    log(second, TestStreams.filled());
    log(first, TestStreams.filled());
    assertEquals("one route_a\ntwo route_a\none route_a\n", Files.readString(shared));
  }

  @Test
  void configErrorsNameTheLogAndTheProblem() throws Exception {
    AccessLog grpc = AccessLog.newBuilder()
        .setName("envoy.access_loggers.http_grpc")
        .setTypedConfig(Any.newBuilder()
            .setTypeUrl("type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig")
            .setValue(ByteString.EMPTY))
        .build();
    AccessLogConfigException unknown = assertThrows(AccessLogConfigException.class,
        () -> accessLogs.create(List.of(grpc)));
    assertEquals("access_log[0] 'envoy.access_loggers.http_grpc': Didn't find a registered "
        + "implementation for 'envoy.access_loggers.http_grpc' with type URL: "
        + "'envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig'", unknown.getMessage());

    String missingDir = dir.resolve("missing/access.log").toString();
    assertEquals("access_log[1] 'file': unable to open file '" + missingDir
            + "': No such file or directory",
        error("""
            [{"name": "envoy.access_loggers.stdout"},
             {"name": "file", "typed_config": {
               "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
               "path": "%s"}}]""".formatted(missingDir)));

    assertEquals("access_log[0] 'file': Not supported field in StreamInfo: NOPE",
        error("""
            [{"name": "file", "typed_config": {
               "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
               "path": "%s", "log_format": {"text_format": "%%NOPE%%"}}}]"""
            .formatted(dir.resolve("x.log"))));

    assertEquals("access_log[0]: path: value length must be at least 1 characters",
        error("""
            [{"typed_config": {
               "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog"}}]"""));

    assertEquals("access_log[0] 'envoy.access_loggers.file': path: value length must be at least 1 "
        + "characters", error("[{\"name\": \"envoy.access_loggers.file\"}]"));

    assertEquals("access_log[0] 'my.logger': Didn't find a registered implementation for name: "
        + "'my.logger'", error("[{\"name\": \"my.logger\"}]"));

    assertEquals("access_log[0].filter.response_flag_filter.flags[0]: value must be in list [DC, DF, "
        + "DI, DO, DPE, DR, DT, FI, IH, LH, LR, NC, NFCF, NR, OM, RFCF, RL, RLSE, SI, UAEX, UC, UF, "
        + "UH, UMSDR, UO, UPE, UR, URX, UT], got 'uh'",
        error("[{\"name\": \"envoy.access_loggers.stdout\","
            + " \"filter\": {\"response_flag_filter\": {\"flags\": [\"uh\"]}}}]"));
    assertTrue(Files.notExists(dir.resolve("x.log")) || Files.size(dir.resolve("x.log")) == 0);
  }

  private String error(String json) throws Exception {
    List<AccessLog> c = configs(json);
    return assertThrows(AccessLogConfigException.class, () -> accessLogs.create(c)).getMessage();
  }
}
