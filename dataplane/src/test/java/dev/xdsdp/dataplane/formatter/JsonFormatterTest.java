package dev.xdsdp.dataplane.formatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.xdsdp.api.stream.StreamInfo;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFormatterTest {

  private static <T extends Message.Builder> T parse(String json, T builder)
      throws InvalidProtocolBufferException {
    JsonFormat.parser().merge(json, builder);
    return builder;
  }

  private static Struct struct(String json) throws InvalidProtocolBufferException {
    return parse(json, Struct.newBuilder()).build();
  }

  @Test
  void singleOperatorsKeepTheirTypeAndKeysAreSorted() throws Exception {
    Formatter f = SubstitutionFormatStrings.json(struct("""
        {
          "protocol": "%PROTOCOL%",
          "duration": "%DURATION%",
          "code": "%RESPONSE_CODE%",
          "bytes": "%BYTES_SENT%",
          "path": "%REQ(:PATH)%",
          "missing": "%REQ(X-NOPE)%",
          "mixed": "%RESPONSE_CODE%/%REQ(X-NOPE)%",
          "literal": "plain",
          "pct": "100%%",
          "number": 2.5,
          "int": 7,
          "flag": true,
          "nothing": null,
          "meta": "%DYNAMIC_METADATA(com.test.my_filter)%",
          "meta_count": "%DYNAMIC_METADATA(com.test.my_filter:count)%",
          "meta_cut": "%DYNAMIC_METADATA(com.test.my_filter:test_key):1%",
          "port": "%DOWNSTREAM_LOCAL_PORT%",
          "start": "%START_TIME%",
          "nested": {"route": "%ROUTE_NAME%", "vc": "%VIRTUAL_CLUSTER_NAME%"},
          "list": ["%UPSTREAM_HOST%", "x", "%REQ(X-NOPE)%"],
          "escaped": "%REQ(X-ESC)%",
          "grpc": "%GRPC_STATUS_NUMBER%"
        }"""), false);
    StreamInfo info = TestStreams.timed();
    FormatterContext ctx = FormatterContext.of(info);
    ctx.requestHeaders().add("x-esc", "a\"b\\c\nd\u0001é");
    assertEquals("{\"bytes\":226,\"code\":200,\"duration\":32,\"escaped\":\"a\\\"b\\\\c\\nd\\u0001é\","
        + "\"flag\":true,\"grpc\":null,\"int\":7,\"list\":[\"10.1.2.3:8080\",\"x\",null],"
        + "\"literal\":\"plain\","
        + "\"meta\":{\"count\":3,\"test_key\":\"foo\",\"test_object\":{\"inner_key\":\"bar\"}},"
        + "\"meta_count\":3,\"meta_cut\":\"foo\",\"missing\":null,\"mixed\":\"200/-\","
        + "\"nested\":{\"route\":\"route_a\",\"vc\":null},\"nothing\":null,\"number\":2.5,"
        + "\"path\":\"/api/v1/locations?x=1\",\"pct\":\"100%\",\"port\":10000,"
        + "\"protocol\":\"HTTP/1.1\",\"start\":\"2026-11-21T10:00:00.123Z\"}\n", f.format(ctx));
    assertEquals("application/json", f.contentType());
  }

  @Test
  void omitEmptyValuesDropsMissingKeysAndEmptyObjects() throws Exception {
    Formatter f = SubstitutionFormatStrings.json(struct("""
        {
          "a": "%REQ(X-NOPE)%",
          "b": "%PROTOCOL%",
          "c": {"d": "%REQ(X-NOPE)%", "e": {"f": "%UPSTREAM_PROTOCOL%"}},
          "g": ["%REQ(X-NOPE)%", "%PROTOCOL%"],
          "h": "%REQ(X-NOPE)%|%PROTOCOL%",
          "i": null,
          "j": [],
          "k": "",
          "l": "%LOCAL_REPLY_BODY%"
        }"""), true);
    assertEquals("{\"b\":\"HTTP/1.1\",\"g\":[\"HTTP/1.1\"],\"h\":\"|HTTP/1.1\",\"j\":[],\"k\":\"\","
        + "\"l\":\"\"}\n", f.format(FormatterContext.of(TestStreams.filled())));

    Formatter allMissing = SubstitutionFormatStrings.json(
        struct("{\"a\": \"%REQ(X-NOPE)%\", \"b\": {\"c\": \"%ROUTE_NAME%\"}}"), true);
    assertEquals("{}\n", allMissing.format(FormatterContext.of(
        new dev.xdsdp.dataplane.http.StreamInfoImpl(dev.xdsdp.api.http.Protocol.HTTP_1_1, 1, "l",
            null, null, null))));
  }

  @Test
  void numbersPrintAsEnvoyPrintsThem() {
    StringBuilder sb = new StringBuilder();
    for (double d : new double[] {0, 0.5, 3.141592654, -989282.1087, 1.23456789012345e+67, 200,
        1e-7, 123456789012345.0, 1e20}) {
      Json.appendNumber(sb.append(' '), d);
    }
    assertEquals(" 0 0.5 3.141592654 -989282.1087 1.23456789012345e+67 200 1e-07 123456789012345"
        + " 1e+20", sb.toString());
  }

  @Test
  void operatorErrorsInsideJsonAreConfigErrors() throws Exception {
    Struct bad = struct("{\"a\": {\"b\": \"%NOT_A_THING%\"}}");
    FormatterException e = assertThrows(FormatterException.class,
        () -> SubstitutionFormatStrings.json(bad, false));
    assertEquals("Not supported field in StreamInfo: NOT_A_THING", e.getMessage());
  }

  @Test
  void substitutionFormatStringVariants(@TempDir Path dir) throws Exception {
    FormatterContext ctx = FormatterContext.of(TestStreams.timed());

    Formatter text = SubstitutionFormatStrings.fromProto(parse("""
        {"text_format": "%PROTOCOL% %REQ(X-NOPE)% %RESPONSE_CODE%\\n",
         "omit_empty_values": true, "content_type": "text/html; charset=UTF-8"}""",
        SubstitutionFormatString.newBuilder()).build());
    assertEquals("HTTP/1.1  200\n", text.format(ctx));
    assertEquals("text/html; charset=UTF-8", text.contentType());

    Formatter json = SubstitutionFormatStrings.fromProto(parse("""
        {"json_format": {"code": "%RESPONSE_CODE%", "path": "%REQ(:PATH)%"}}""",
        SubstitutionFormatString.newBuilder()).build());
    assertEquals("{\"code\":200,\"path\":\"/api/v1/locations?x=1\"}\n", json.format(ctx));
    assertEquals("application/json", json.contentType());

    Formatter inline = SubstitutionFormatStrings.fromProto(parse("""
        {"text_format_source": {"inline_string": "%ROUTE_NAME%:%UPSTREAM_CLUSTER%"}}""",
        SubstitutionFormatString.newBuilder()).build());
    assertEquals("route_a:backend", inline.format(ctx));
    assertEquals("text/plain", inline.contentType());

    Path file = dir.resolve("format.txt");
    Files.writeString(file, "[%START_TIME%] %RESPONSE_FLAGS%\n");
    Formatter fromFile = SubstitutionFormatStrings.fromProto(SubstitutionFormatString.newBuilder()
        .setTextFormatSource(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder()
            .setFilename(file.toString()))
        .build());
    assertEquals("[2026-11-21T10:00:00.123Z] UH,URX\n", fromFile.format(ctx));

    FormatterException missingFile = assertThrows(FormatterException.class,
        () -> SubstitutionFormatStrings.fromProto(SubstitutionFormatString.newBuilder()
            .setTextFormatSource(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder()
                .setFilename(dir.resolve("nope.txt").toString()))
            .build()));
    assertEquals("file " + dir.resolve("nope.txt") + " does not exist", missingFile.getMessage());

    FormatterException extension = assertThrows(FormatterException.class,
        () -> SubstitutionFormatStrings.fromProto(SubstitutionFormatString.newBuilder()
            .setTextFormat("%REQ_WITHOUT_QUERY(:PATH)%")
            .addFormatters(io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig.newBuilder()
                .setName("envoy.formatter.req_without_query"))
            .build()));
    assertEquals("Formatter not found: envoy.formatter.req_without_query", extension.getMessage());
  }
}
