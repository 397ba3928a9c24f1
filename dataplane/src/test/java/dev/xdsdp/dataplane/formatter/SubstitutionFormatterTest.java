package dev.xdsdp.dataplane.formatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.Protocol;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.http.StreamInfoImpl;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SubstitutionFormatterTest {

  private static String format(String format, StreamInfo info) throws FormatterException {
    return SubstitutionFormatStrings.text(format).format(FormatterContext.of(info));
  }

  private static String format(String format) throws FormatterException {
    return format(format, TestStreams.timed());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      // Headers.
      "%REQ(:METHOD)%                        | POST",
      "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%    | /api/v1/locations?x=1",
      "%REQ(:PATH):5%                        | /api/",
      "%REQ(:path):100%                      | /api/v1/locations?x=1",
      "%REQ(X-MULTI)%                        | a",
      "%REQ(X-NOPE)%                         | -",
      "%REQ(X-NOPE?X-NOTHING)%               | -",
      "%RESP(CONTENT-TYPE)%                  | application/json",
      "%RESP(X-NOPE?X-ENVOY-UPSTREAM-SERVICE-TIME)% | 100",
      "%TRAILER(X-TRAILER)%                  | t-value",
      "%TRAILER(X-TRAILER):3%                | t-v",
      "%STREAM_INFO_REQ(:AUTHORITY)%         | locations",
      // Times.
      "%START_TIME%                          | 2026-11-21T10:00:00.123Z",
      "'%START_TIME(%Y/%m/%dT%H:%M:%S%z %s)%' | 2026/11/21T10:00:00+0000 1795255200",
      "%START_TIME(%s.%3f)%                  | 1795255200.123",
      "%START_TIME(%s.%6f)%                  | 1795255200.123000",
      "%START_TIME(%s.%9f)%                  | 1795255200.123000000",
      "%START_TIME(%f)%                      | 123000000",
      "%START_TIME(%*f)%                     | 123",
      "%START_TIME(%E6S)%                    | 00.123000",
      "%START_TIME(%E*S)%                    | 00.123",
      "%START_TIME(%E3f)%                    | 123",
      "'%START_TIME(%a %A %b %B %e %j %U %W %V %G %u %w %y %C %I %p %Ez %Z)%' | 'Sat Saturday Nov November 21 325 46 46 47 2026 6 6 26 20 10 AM +00:00 UTC'",
      "%START_TIME(%F %T %D %R)%             | 2026-11-21 10:00:00 11/21/26 10:00",
      "%START_TIME(100%%)%                   | 100%",
      // Durations (ms, truncated).
      "%DURATION%                            | 32",
      "%REQUEST_DURATION%                    | 1",
      "%REQUEST_TX_DURATION%                 | 3",
      "%RESPONSE_DURATION%                   | 20",
      "%RESPONSE_TX_DURATION%                | 11",
      "%COMMON_DURATION(DS_RX_BEG:DS_TX_END:us)% | 31700",
      "%COMMON_DURATION(US_TX_BEG:US_RX_END)% | 28",
      "%COMMON_DURATION(US_TX_BEG:US_RX_END:ms)% | 28",
      "%COMMON_DURATION(DS_RX_END:US_TX_END:ns)% | 2499999",
      "%COMMON_DURATION(US_RX_BEG:US_TX_BEG)% | -",
      "%COMMON_DURATION(US_CX_BEG:DS_TX_END)% | -",
      "%COMMON_DURATION(DS_RX_BEG:MY_TIMING)% | -",
      "%DOWNSTREAM_HANDSHAKE_DURATION%       | -",
      // Response.
      "%RESPONSE_CODE%                       | 200",
      "%RESPONSE_CODE_DETAILS%               | via_upstream",
      "%RESPONSE_FLAGS%                      | UH,URX",
      "%RESPONSE_FLAGS_LONG%                 | NoHealthyUpstream,UpstreamRetryLimitExceeded",
      "%BYTES_RECEIVED%                      | 154",
      "%BYTES_SENT%                          | 226",
      "%PROTOCOL%                            | HTTP/1.1",
      "%UPSTREAM_PROTOCOL%                   | -",
      "%CUSTOM_FLAGS%                        | ''",
      "%UPSTREAM_WIRE_BYTES_SENT%            | 0",
      // Upstream.
      "%UPSTREAM_HOST%                       | 10.1.2.3:8080",
      "%UPSTREAM_HOST_NAME_WITHOUT_PORT%     | 10.1.2.3",
      "%UPSTREAM_CLUSTER%                    | backend",
      "%UPSTREAM_CLUSTER_RAW%                | backend",
      "%UPSTREAM_LOCAL_ADDRESS%              | 10.0.0.1:40000",
      "%UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT% | 10.0.0.1",
      "%UPSTREAM_LOCAL_PORT%                 | 40000",
      "%UPSTREAM_REMOTE_ADDRESS%             | 10.1.2.3:8080",
      "%UPSTREAM_REMOTE_PORT%                | 8080",
      "%UPSTREAM_TRANSPORT_FAILURE_REASON%   | -",
      "%UPSTREAM_REQUEST_ATTEMPT_COUNT%      | 2",
      "%UPSTREAM_TLS_VERSION%                | -",
      // Downstream.
      "%DOWNSTREAM_REMOTE_ADDRESS%           | 203.0.113.7:0",
      "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% | 203.0.113.7",
      "%DOWNSTREAM_REMOTE_PORT%              | 0",
      "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS%    | 10.0.0.5:51234",
      "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT% | 10.0.0.5",
      "%DOWNSTREAM_DIRECT_REMOTE_PORT%       | 51234",
      "%DOWNSTREAM_LOCAL_ADDRESS%            | 10.0.0.1:10000",
      "%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT% | 10.0.0.1",
      "%DOWNSTREAM_LOCAL_PORT%               | 10000",
      "%DOWNSTREAM_DIRECT_LOCAL_ADDRESS%     | 10.0.0.1:10000",
      "%REQUESTED_SERVER_NAME%               | api.example.com",
      "%ROUTE_NAME%                          | route_a",
      "%VIRTUAL_CLUSTER_NAME%                | -",
      "%CONNECTION_ID%                       | 42",
      "%STREAM_ID%                           | 6f1c2a3b-0000-4000-8000-000000000001",
      "%FILTER_CHAIN_NAME%                   | -",
      "%CONNECTION_TERMINATION_DETAILS%      | -",
      // Metadata.
      "%DYNAMIC_METADATA(com.test.my_filter)% | '{\"count\":3,\"test_key\":\"foo\",\"test_object\":{\"inner_key\":\"bar\"}}'",
      "%DYNAMIC_METADATA(com.test.my_filter:test_key)% | foo",
      "%DYNAMIC_METADATA(com.test.my_filter:count)% | 3",
      "%DYNAMIC_METADATA(com.test.my_filter:test_object)% | '{\"inner_key\":\"bar\"}'",
      "%DYNAMIC_METADATA(com.test.my_filter:test_object:inner_key)% | bar",
      "%DYNAMIC_METADATA(com.test.my_filter:test_key:deeper)% | -",
      "%DYNAMIC_METADATA(com.unknown_filter)% | -",
      "%DYNAMIC_METADATA(com.test.my_filter:unknown_key)% | -",
      "%DYNAMIC_METADATA(com.test.my_filter):25% | '{\"count\":3,\"test_key\":\"fo'",
      "%CLUSTER_METADATA(ns:key)%            | -",
      // Literals and escapes.
      "100%% of %PROTOCOL%                   | 100% of HTTP/1.1",
      "%%PROTOCOL%%                          | %PROTOCOL%",
      "plain text                            | plain text",
      "''                                    | ''",
      "%ACCESS_LOG_TYPE%                     | DownstreamEnd",
      "%LOCAL_REPLY_BODY%                    | ''",
  })
  void operatorFormatsAsEnvoy(String format, String expected) throws FormatterException {
    assertEquals(expected, format(format));
  }

  @Test
  void defaultFormatMatchesEnvoysLine() {
    String line = SubstitutionFormatStrings.defaultFormatter()
        .format(FormatterContext.of(TestStreams.timed()));
    assertEquals("[2026-11-21T10:00:00.123Z] \"POST /api/v1/locations?x=1 HTTP/1.1\" 200 UH,URX 154 "
        + "226 32 100 \"10.0.35.28\" \"nsq2http\" \"cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2\" "
        + "\"locations\" \"10.1.2.3:8080\"\n", line);
  }

  @Test
  void istiosDefaultProxyFormat() throws FormatterException {
    String istio = "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
        + "%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "
        + "\"%UPSTREAM_TRANSPORT_FAILURE_REASON%\" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
        + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
        + "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\" %UPSTREAM_CLUSTER_RAW% "
        + "%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% "
        + "%REQUESTED_SERVER_NAME% %ROUTE_NAME%\n";
    assertEquals("[2026-11-21T10:00:00.123Z] \"POST /api/v1/locations?x=1 HTTP/1.1\" 200 UH,URX "
        + "via_upstream - \"-\" 154 226 32 100 \"10.0.35.28\" \"nsq2http\" "
        + "\"cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2\" \"locations\" \"10.1.2.3:8080\" backend "
        + "10.0.0.1:40000 10.0.0.1:10000 203.0.113.7:0 api.example.com route_a\n", format(istio));
  }

  @Test
  void defaultFormatOfRequestWithoutResponse() {
    StreamInfoImpl info = new StreamInfoImpl(Protocol.HTTP_2, 1, "l",
        Address.ofIp("::1", 5000), Address.ofIp("::1", 10000), null);
    HeaderMap req = HeaderMap.create();
    req.add(":method", "GET");
    req.add(":path", "/");
    info.setRequestHeaders(req);
    info.onRequestComplete();
    String line = SubstitutionFormatStrings.defaultFormatter().format(FormatterContext.of(info));
    String expectedTail = " \"GET / HTTP/2\" 0 - 0 0 " + (info.requestCompleteNanos() / 1_000_000)
        + " - \"-\" \"-\" \"-\" \"-\" \"-\"\n";
    assertTrue(line.endsWith(expectedTail), line);
  }

  @Test
  void durationOfRunningStreamIsTimeSoFar() throws Exception {
    StreamInfoImpl info = TestStreams.filled();
    Thread.sleep(20);
    long ms = Long.parseLong(format("%DURATION%", info));
    assertTrue(ms >= 20 && ms < 10_000, "duration " + ms);
    assertEquals("-", format("%REQUEST_DURATION%|%RESPONSE_TX_DURATION%", info).split("\\|")[0]);
  }

  @Test
  void ipv6AndPipeAddresses() throws FormatterException {
    StreamInfoImpl info = new StreamInfoImpl(Protocol.HTTP_1_1, 1, "l",
        Address.ofIp("2001:db8::1", 443), Address.ofPipe("/run/envoy.sock"), null);
    info.setUpstreamHost(Address.ofIp("fd00::2", 9000));
    assertEquals("[2001:db8::1]:443 2001:db8::1 443",
        format("%DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% "
            + "%DOWNSTREAM_REMOTE_PORT%", info));
    // Envoy prints an empty port for a pipe.
    assertEquals("/run/envoy.sock|/run/envoy.sock||-",
        format("%DOWNSTREAM_LOCAL_ADDRESS%|%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT%|"
            + "%DOWNSTREAM_LOCAL_PORT%|%REQUESTED_SERVER_NAME%", info));
    assertEquals("fd00::2 [fd00::2]", format("%UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% "
        + "%UPSTREAM_HOST_NAME_WITHOUT_PORT%", info));
  }

  @Test
  void responseCodeDetailsAndFailureReasonReplaceSpaces() throws FormatterException {
    StreamInfoImpl info = TestStreams.filled();
    info.setResponseCodeDetails("upstream reset: connection\ttermination");
    info.setUpstreamTransportFailureReason("TLS error: 268435581:SSL routines");
    assertEquals("upstream_reset:_connection_termination", format("%RESPONSE_CODE_DETAILS%", info));
    assertEquals("upstream reset: connection\ttermination",
        format("%RESPONSE_CODE_DETAILS(ALLOW_WHITESPACES)%", info));
    assertEquals("TLS_error:_268435581:SSL_routines",
        format("%UPSTREAM_TRANSPORT_FAILURE_REASON%", info));
  }

  @Test
  void requestedServerNameIsSanitized() throws FormatterException {
    StreamInfoImpl info = new StreamInfoImpl(Protocol.HTTP_1_1, 1, "l",
        Address.ofIp("10.0.0.1", 1), Address.ofIp("10.0.0.2", 2), "bad name\u0001.example.com");
    assertEquals("bad_name_.example.com", format("%REQUESTED_SERVER_NAME%", info));
  }

  @Test
  void noResponseFlagsPrintDash() throws FormatterException {
    StreamInfoImpl info = new StreamInfoImpl(Protocol.HTTP_1_1, 1, "l",
        Address.ofIp("10.0.0.1", 1), Address.ofIp("10.0.0.2", 2), null);
    assertEquals("- - 0 - -", format(
        "%RESPONSE_FLAGS% %RESPONSE_FLAGS_LONG% %RESPONSE_CODE% %RESPONSE_CODE_DETAILS% %UPSTREAM_HOST%",
        info));
  }

  @Test
  void filterState() throws FormatterException {
    StreamInfoImpl info = TestStreams.filled();
    info.filterState().put("my.string", "hello \"world\"");
    info.filterState().put("my.number", 7L);
    info.filterState().put("my.object", Map.of("field", "value", "n", 12L));
    info.filterState().put("my.opaque", new Object() {
      @Override
      public String toString() {
        return "opaque!";
      }
    });
    assertEquals("\"hello \\\"world\\\"\"", format("%FILTER_STATE(my.string)%", info));
    assertEquals("\"hello \\\"world\\\"\"", format("%FILTER_STATE(my.string:TYPED)%", info));
    assertEquals("hello \"world\"", format("%FILTER_STATE(my.string:PLAIN)%", info));
    assertEquals("hel", format("%FILTER_STATE(my.string:PLAIN):3%", info));
    assertEquals("7", format("%FILTER_STATE(my.number)%", info));
    assertEquals("value 12", format("%FILTER_STATE(my.object:FIELD:field)% "
        + "%FILTER_STATE(my.object:FIELD:n)%", info));
    assertEquals("- opaque! -", format("%FILTER_STATE(my.object:FIELD:nope)% "
        + "%FILTER_STATE(my.opaque:PLAIN)% %FILTER_STATE(my.opaque)%", info));
    assertEquals("-", format("%FILTER_STATE(absent)%", info));
    assertEquals("-", format("%UPSTREAM_FILTER_STATE(my.string)%", info));
  }

  @Test
  void localReplyBodyAndAccessLogTypeComeFromTheContext() throws FormatterException {
    FormatterContext ctx = new FormatterContext(null, null, null, TestStreams.filled(),
        "no healthy upstream", AccessLogType.DownstreamStart);
    assertEquals("no healthy upstream DownstreamStart -",
        SubstitutionFormatStrings.text("%LOCAL_REPLY_BODY% %ACCESS_LOG_TYPE% %REQ(:PATH)%")
            .format(ctx));
  }

  @Test
  void headerByteSizes() throws FormatterException {
    StreamInfoImpl info = TestStreams.filled();
    assertEquals(info.requestHeaders().byteSize() + " " + info.responseHeaders().byteSize() + " "
            + info.responseTrailers().byteSize(),
        format("%REQUEST_HEADERS_BYTES% %RESPONSE_HEADERS_BYTES% %RESPONSE_TRAILERS_BYTES%", info));
    // "grpc-status" + "0" is 12 bytes, "x-trailer" + "t-value" 16.
    assertEquals("28", format("%RESPONSE_TRAILERS_BYTES%", info));
  }

  @Test
  void grpcStatus() throws FormatterException {
    StreamInfoImpl info = TestStreams.filled();
    // Not a gRPC request: nothing is logged even with a grpc-status trailer.
    assertEquals("-", format("%GRPC_STATUS%", info));

    info.requestHeaders().set("content-type", "application/grpc+proto");
    info.responseTrailers().set("grpc-status", "14");
    assertEquals("Unavailable UNAVAILABLE 14 14", format(
        "%GRPC_STATUS% %GRPC_STATUS(SNAKE_STRING)% %GRPC_STATUS(NUMBER)% %GRPC_STATUS_NUMBER%", info));

    // Trailers-only response: the status is in the headers.
    info.responseTrailers().clear();
    info.responseHeaders().set("grpc-status", "3");
    assertEquals("InvalidArgument", format("%GRPC_STATUS(CAMEL_STRING)%", info));

    // No status at all: mapped from the HTTP status.
    info.responseHeaders().remove("grpc-status");
    info.setResponseCode(503);
    assertEquals("Unavailable", format("%GRPC_STATUS%", info));
    info.setResponseCode(404);
    assertEquals("Unimplemented 12", format("%GRPC_STATUS% %GRPC_STATUS_NUMBER%", info));
  }

  @Test
  void environmentAndHostnameAreReadOnce() throws Exception {
    String path = System.getenv("PATH");
    assertEquals(path, format("%ENVIRONMENT(PATH)%"));
    assertEquals(path.substring(0, 3), format("%ENVIRONMENT(PATH):3%"));
    assertEquals("-", format("%ENVIRONMENT(XDSDP_SURELY_UNSET_VARIABLE_42)%"));
    // Envoy stores "-" as the value, so omit_empty_values still prints it.
    assertEquals("-", SubstitutionFormatStrings.text("%ENVIRONMENT(XDSDP_SURELY_UNSET_VARIABLE_42)%", true)
        .format(FormatterContext.of(TestStreams.filled())));

    Path proc = Path.of("/proc/sys/kernel/hostname");
    if (Files.exists(proc)) {
      assertEquals(Files.readString(proc).trim(), format("%HOSTNAME%"));
    }
  }

  @Test
  void generatedValues() throws FormatterException {
    assertTrue(format("%UNIQUE_ID%").matches(
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    assertTrue(format("%EMIT_TIME%").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
    assertTrue(format("%START_TIME_LOCAL%").matches(
        "2026-11-2\\dT\\d\\d:\\d\\d:00\\.123[+-]\\d{4}"), format("%START_TIME_LOCAL%"));
  }

  @Test
  void omitEmptyValuesPrintsNothingForMissingValues() throws FormatterException {
    Formatter f = SubstitutionFormatStrings.text("[%REQ(X-NOPE)%|%PROTOCOL%|%UPSTREAM_PROTOCOL%]", true);
    assertEquals("[|HTTP/1.1|]", f.format(FormatterContext.of(TestStreams.filled())));
  }

  @Test
  void missingHeaderMapsReadAsEmpty() throws FormatterException {
    FormatterContext ctx = new FormatterContext(null, null, null, TestStreams.filled(), null, null);
    assertEquals("- - - 0", SubstitutionFormatStrings
        .text("%REQ(:PATH)% %RESP(:STATUS)% %TRAILER(X)% %REQUEST_HEADERS_BYTES%").format(ctx));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "%FOO%                      | Not supported field in StreamInfo: FOO",
      "ok %DOWNSTREAM_PEER_ANYTHING% | Not supported field in StreamInfo: DOWNSTREAM_PEER_ANYTHING",
      "%REQ%                      | REQ requires parameters",
      "%REQ()%                    | REQ requires parameters",
      "%DYNAMIC_METADATA%         | DYNAMIC_METADATA requires parameters",
      "%PROTOCOL(x)%              | PROTOCOL does not take any parameters or length",
      "%PROTOCOL:3%               | PROTOCOL does not take any parameters or length",
      "%START_TIME:3%             | START_TIME does not allow length to be specified.",
      "%REQ(:PATH                 | 'Incorrect configuration: %REQ(:PATH. Couldn''t find valid command at position 0'",
      "abc %req(x)%               | 'Incorrect configuration: abc %req(x)%. Couldn''t find valid command at position 4'",
      "100%                       | 'Incorrect configuration: 100%. Couldn''t find valid command at position 3'",
      "%REQ(A?B?C)%               | More than 1 alternative header specified in token: A?B?C",
      "%REQ(a b)%                 | Invalid header configuration. Format string contains invalid characters.",
      "%FILTER_STATE%             | Invalid filter state configuration, key cannot be empty.",
      "%FILTER_STATE(k:XML)%      | Invalid filter state serialize type, only support PLAIN/TYPED/FIELD.",
      "%FILTER_STATE(k:FIELD)%    | Invalid filter state serialize type, FIELD should be used with the field name.",
      "%FILTER_STATE(k:PLAIN:f)%  | Invalid filter state serialize type, FIELD should be used with the field name.",
      "%GRPC_STATUS(FOO)%         | GrpcStatusFormatter only supports CAMEL_STRING, SNAKE_STRING or NUMBER.",
      "%COMMON_DURATION(DS_RX_BEG)% | Invalid common duration configuration: DS_RX_BEG.",
      "%COMMON_DURATION(A:B:s)%   | Invalid common duration precision: s.",
      "%START_TIME(%Y%n)%         | Invalid header configuration. Format string contains newline.",
      "%START_TIME(%Y%-En)%       | Invalid header configuration. Format string contains newline.",
  })
  void invalidFormatsAreConfigErrorsWithEnvoysMessage(String format, String message) {
    FormatterException e = assertThrows(FormatterException.class,
        () -> SubstitutionFormatStrings.text(format));
    assertEquals(message, e.getMessage());
  }
}
