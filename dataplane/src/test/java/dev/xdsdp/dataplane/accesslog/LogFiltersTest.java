package dev.xdsdp.dataplane.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.Protocol;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.api.stream.ResponseFlag;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.formatter.FormatterContext;
import dev.xdsdp.dataplane.formatter.TestStreams;
import dev.xdsdp.dataplane.http.StreamInfoImpl;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogFiltersTest {

  private static LogFilter filter(String json) throws Exception {
    return LogFilters.fromProto(proto(json), "filter");
  }

  private static AccessLogFilter proto(String json) throws InvalidProtocolBufferException {
    AccessLogFilter.Builder b = AccessLogFilter.newBuilder();
    JsonFormat.parser().merge(json, b);
    return b.build();
  }

  private static String configError(String json) {
    return assertThrows(AccessLogConfigException.class, () -> filter(json)).getMessage();
  }

  private static FormatterContext ctx(StreamInfo info) {
    return FormatterContext.of(info);
  }

  private static StreamInfoImpl bare() {
    return new StreamInfoImpl(Protocol.HTTP_1_1, 1, "l", Address.ofIp("10.0.0.1", 1),
        Address.ofIp("10.0.0.2", 2), null);
  }

  @Test
  void statusCodeFilterComparesTheResponseCode() throws Exception {
    LogFilter ge400 = filter("""
        {"status_code_filter": {"comparison": {"op": "GE",
          "value": {"default_value": 400, "runtime_key": "access_log.access_error.status"}}}}""");
    StreamInfoImpl info = bare();
    info.setResponseCode(200);
    assertFalse(ge400.evaluate(ctx(info)));
    info.setResponseCode(400);
    assertTrue(ge400.evaluate(ctx(info)));
    info.setResponseCode(503);
    assertTrue(ge400.evaluate(ctx(info)));

    LogFilter eq0 = filter("""
        {"status_code_filter": {"comparison": {"op": "EQ",
          "value": {"default_value": 0, "runtime_key": "k"}}}}""");
    // No response yet compares as 0.
    assertTrue(eq0.evaluate(ctx(bare())));
    LogFilter le299 = filter("""
        {"status_code_filter": {"comparison": {"op": "LE",
          "value": {"default_value": 299, "runtime_key": "k"}}}}""");
    assertTrue(le299.evaluate(ctx(TestStreams.filled())));
  }

  @Test
  void durationFilterUsesTheTotalDuration() throws Exception {
    // TestStreams.timed() completes after 32.9 ms.
    assertTrue(filter("""
        {"duration_filter": {"comparison": {"op": "GE",
          "value": {"default_value": 32, "runtime_key": "k"}}}}""").evaluate(ctx(TestStreams.timed())));
    assertFalse(filter("""
        {"duration_filter": {"comparison": {"op": "GE",
          "value": {"default_value": 33, "runtime_key": "k"}}}}""").evaluate(ctx(TestStreams.timed())));
  }

  @Test
  void notHealthCheckAndTraceableFilters() throws Exception {
    assertTrue(filter("{\"not_health_check_filter\": {}}").evaluate(ctx(TestStreams.filled())));
    assertFalse(filter("{\"traceable_filter\": {}}").evaluate(ctx(TestStreams.filled())));
  }

  @Test
  void runtimeFilterSamplesByRequestIdOrRandomly() throws Exception {
    // The request id 6f1c2a3b-... gives 0x6f1c2a3b % 100 = 95.
    StreamInfoImpl info = TestStreams.filled();
    assertTrue(filter("""
        {"runtime_filter": {"runtime_key": "k",
          "percent_sampled": {"numerator": 96, "denominator": "HUNDRED"}}}""").evaluate(ctx(info)));
    assertFalse(filter("""
        {"runtime_filter": {"runtime_key": "k",
          "percent_sampled": {"numerator": 95, "denominator": "HUNDRED"}}}""").evaluate(ctx(info)));
    // 0x6f1c2a3b % 10000 = 6795.
    assertTrue(filter("""
        {"runtime_filter": {"runtime_key": "k",
          "percent_sampled": {"numerator": 6796, "denominator": "TEN_THOUSAND"}}}""")
        .evaluate(ctx(info)));
    // No percent: 0% is sampled.
    assertFalse(filter("{\"runtime_filter\": {\"runtime_key\": \"k\"}}").evaluate(ctx(info)));
    LogFilter all = filter("""
        {"runtime_filter": {"runtime_key": "k", "use_independent_randomness": true,
          "percent_sampled": {"numerator": 100}}}""");
    LogFilter none = filter("""
        {"runtime_filter": {"runtime_key": "k", "use_independent_randomness": true,
          "percent_sampled": {"numerator": 0}}}""");
    LogFilter half = filter("""
        {"runtime_filter": {"runtime_key": "k", "use_independent_randomness": true,
          "percent_sampled": {"numerator": 50}}}""");
    int sampled = 0;
    for (int i = 0; i < 2000; i++) {
      assertTrue(all.evaluate(ctx(info)));
      assertFalse(none.evaluate(ctx(info)));
      sampled += half.evaluate(ctx(info)) ? 1 : 0;
    }
    assertTrue(sampled > 800 && sampled < 1200, "sampled " + sampled);
  }

  @Test
  void andOrFilters() throws Exception {
    String is503 = "{\"status_code_filter\": {\"comparison\": {\"op\": \"EQ\","
        + " \"value\": {\"default_value\": 503, \"runtime_key\": \"k\"}}}}";
    String hasUh = "{\"response_flag_filter\": {\"flags\": [\"UH\"]}}";
    LogFilter and = filter("{\"and_filter\": {\"filters\": [" + is503 + "," + hasUh + "]}}");
    LogFilter or = filter("{\"or_filter\": {\"filters\": [" + is503 + "," + hasUh + "]}}");
    StreamInfoImpl info = TestStreams.filled(); // 200 with UH
    assertFalse(and.evaluate(ctx(info)));
    assertTrue(or.evaluate(ctx(info)));
    info.setResponseCode(503);
    assertTrue(and.evaluate(ctx(info)));
    StreamInfoImpl plain = bare();
    assertFalse(or.evaluate(ctx(plain)));

    assertEquals("filter.and_filter.filters: value must contain at least 2 item(s)",
        configError("{\"and_filter\": {\"filters\": [" + hasUh + "]}}"));
    assertEquals("filter.or_filter.filters[1].response_flag_filter.flags[0]: value must be in list "
        + "[DC, DF, DI, DO, DPE, DR, DT, FI, IH, LH, LR, NC, NFCF, NR, OM, RFCF, RL, RLSE, SI, "
        + "UAEX, UC, UF, UH, UMSDR, UO, UPE, UR, URX, UT], got 'XX'",
        configError("{\"or_filter\": {\"filters\": [" + is503
            + ", {\"response_flag_filter\": {\"flags\": [\"XX\"]}}]}}"));
  }

  @Test
  void responseFlagFilter() throws Exception {
    StreamInfoImpl info = TestStreams.filled(); // UH and URX
    assertTrue(filter("{\"response_flag_filter\": {\"flags\": [\"UF\", \"URX\"]}}").evaluate(ctx(info)));
    assertFalse(filter("{\"response_flag_filter\": {\"flags\": [\"UF\", \"UT\"]}}").evaluate(ctx(info)));
    LogFilter any = filter("{\"response_flag_filter\": {}}");
    assertTrue(any.evaluate(ctx(info)));
    assertFalse(any.evaluate(ctx(bare())));
    StreamInfoImpl dc = bare();
    dc.addResponseFlag(ResponseFlag.DOWNSTREAM_CONNECTION_TERMINATION);
    assertTrue(filter("{\"response_flag_filter\": {\"flags\": [\"DC\"]}}").evaluate(ctx(dc)));
  }

  @ParameterizedTest(name = "{0} on {1} -> {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "'\"name\": \":method\", \"exact_match\": \"POST\"'              | POST      | true",
      "'\"name\": \":method\", \"exact_match\": \"POST\"'              | GET       | false",
      "'\"name\": \":method\", \"string_match\": {\"exact\": \"post\", \"ignore_case\": true}' | POST | true",
      "'\"name\": \":method\", \"string_match\": {\"exact\": \"post\"}' | POST      | false",
      "'\"name\": \":method\", \"prefix_match\": \"PO\"'               | POST      | true",
      "'\"name\": \":method\", \"suffix_match\": \"ST\"'               | POST      | true",
      "'\"name\": \":method\", \"contains_match\": \"OS\"'             | POST      | true",
      "'\"name\": \":method\", \"safe_regex_match\": {\"regex\": \"P.S\"}'  | POST | false",
      "'\"name\": \":method\", \"safe_regex_match\": {\"regex\": \"P.ST\"}' | POST | true",
      "'\"name\": \":method\", \"string_match\": {\"safe_regex\": {\"regex\": \"G|P.*\"}}' | PUT | true",
      "'\"name\": \":method\", \"present_match\": true'               | GET       | true",
      "'\"name\": \":method\", \"present_match\": false'              | GET       | false",
      "'\"name\": \":method\", \"present_match\": true, \"invert_match\": true' | GET | false",
      "'\"name\": \":method\", \"exact_match\": \"POST\", \"invert_match\": true' | GET | true",
      "'\"name\": \":method\"'                                         | PATCH     | true",
      "'\"name\": \"x-nope\", \"present_match\": false'                | GET       | true",
      "'\"name\": \"x-nope\", \"present_match\": true'                 | GET       | false",
      "'\"name\": \"x-nope\", \"present_match\": true, \"invert_match\": true' | GET | true",
      "'\"name\": \"x-nope\", \"exact_match\": \"\"'                   | GET       | false",
      "'\"name\": \"x-nope\", \"exact_match\": \"a\", \"invert_match\": true' | GET | false",
      "'\"name\": \"x-nope\", \"exact_match\": \"\", \"treat_missing_header_as_empty\": true' | GET | true",
      "'\"name\": \"x-nope\", \"prefix_match\": \"a\", \"treat_missing_header_as_empty\": true, \"invert_match\": true' | GET | true",
      "'\"name\": \"x-multi\", \"exact_match\": \"a,b\"'               | GET       | true",
      "'\"name\": \"X-Num\", \"range_match\": {\"start\": 10, \"end\": 20}'   | GET | true",
      "'\"name\": \"x-num\", \"range_match\": {\"start\": 16, \"end\": 20}'   | GET | false",
      "'\"name\": \"x-num\", \"range_match\": {\"start\": -5, \"end\": 16}'   | GET | true",
      "'\"name\": \"x-bad-num\", \"range_match\": {\"start\": 0, \"end\": 100}' | GET | false",
  })
  void headerFilterMatchesRequestHeadersAsEnvoy(String matcher, String method, boolean expected)
      throws Exception {
    LogFilter f = filter("{\"header_filter\": {\"header\": {" + matcher + "}}}");
    HeaderMap h = HeaderMap.create();
    h.add(":method", method);
    h.add("x-multi", "a");
    h.add("x-multi", "b");
    h.add("x-num", "15");
    h.add("x-bad-num", "15x");
    FormatterContext c = new FormatterContext(h, null, null, bare(), "", null);
    assertEquals(expected, f.evaluate(c));
  }

  @Test
  void grpcStatusFilter() throws Exception {
    StreamInfoImpl info = TestStreams.filled();
    info.responseTrailers().set("grpc-status", "14");
    LogFilter unavailable = filter("{\"grpc_status_filter\": {\"statuses\": [\"UNAVAILABLE\"]}}");
    LogFilter notOk = filter("{\"grpc_status_filter\": {\"statuses\": [\"OK\"], \"exclude\": true}}");
    assertTrue(unavailable.evaluate(ctx(info)));
    assertTrue(notOk.evaluate(ctx(info)));
    info.responseTrailers().set("grpc-status", "0");
    assertFalse(unavailable.evaluate(ctx(info)));
    assertFalse(notOk.evaluate(ctx(info)));
    // No response at all counts as UNKNOWN.
    assertTrue(filter("{\"grpc_status_filter\": {\"statuses\": [\"UNKNOWN\"]}}").evaluate(ctx(bare())));
    // Without trailers or headers the HTTP status maps: 503 is UNAVAILABLE.
    StreamInfoImpl http = bare();
    http.setResponseCode(503);
    assertTrue(unavailable.evaluate(ctx(http)));
  }

  @Test
  void metadataFilter() throws Exception {
    StreamInfoImpl info = TestStreams.filled();
    assertTrue(filter("""
        {"metadata_filter": {"matcher": {"filter": "com.test.my_filter",
          "path": [{"key": "test_key"}], "value": {"string_match": {"exact": "foo"}}}}}""")
        .evaluate(ctx(info)));
    assertFalse(filter("""
        {"metadata_filter": {"matcher": {"filter": "com.test.my_filter",
          "path": [{"key": "test_key"}], "value": {"string_match": {"exact": "bar"}}}}}""")
        .evaluate(ctx(info)));
    assertTrue(filter("""
        {"metadata_filter": {"matcher": {"filter": "com.test.my_filter",
          "path": [{"key": "test_object"}, {"key": "inner_key"}],
          "value": {"or_match": {"value_matchers": [{"string_match": {"prefix": "b"}},
                                                    {"null_match": {}}]}}}}}""")
        .evaluate(ctx(info)));
    assertTrue(filter("""
        {"metadata_filter": {"matcher": {"filter": "com.test.my_filter",
          "path": [{"key": "count"}], "value": {"double_match": {"range": {"start": 3, "end": 4}}}}}}""")
        .evaluate(ctx(info)));
    // A missing key matches by default, unless match_if_key_not_found is false.
    String missing = """
        {"metadata_filter": {"matcher": {"filter": "com.test.my_filter",
          "path": [{"key": "absent"}], "value": {"present_match": true}}%s}}""";
    assertTrue(filter(missing.formatted("")).evaluate(ctx(info)));
    assertFalse(filter(missing.formatted(", \"match_if_key_not_found\": false")).evaluate(ctx(info)));
  }

  @Test
  void logTypeFilter() throws Exception {
    StreamInfoImpl info = TestStreams.filled();
    LogFilter end = filter("{\"log_type_filter\": {\"types\": [\"DownstreamEnd\"]}}");
    LogFilter notEnd = filter("{\"log_type_filter\": {\"types\": [\"DownstreamEnd\"], \"exclude\": true}}");
    assertTrue(end.evaluate(FormatterContext.of(info)));
    assertFalse(notEnd.evaluate(FormatterContext.of(info)));
    FormatterContext periodic = new FormatterContext(null, null, null, info, "",
        AccessLogType.DownstreamPeriodic);
    assertFalse(end.evaluate(periodic));
    assertTrue(notEnd.evaluate(periodic));
  }

  @Test
  void invalidFiltersAreConfigErrors() {
    assertEquals("filter.status_code_filter.comparison.value.runtime_key: value length must be at "
            + "least 1 characters",
        configError("{\"status_code_filter\": {\"comparison\": {\"value\": {\"default_value\": 400}}}}"));
    assertEquals("filter.duration_filter.comparison: value is required",
        configError("{\"duration_filter\": {}}"));
    assertEquals("filter.runtime_filter.runtime_key: value length must be at least 1 characters",
        configError("{\"runtime_filter\": {}}"));
    assertEquals("filter.header_filter.header: value is required", configError("{\"header_filter\": {}}"));
    assertEquals("filter.header_filter.header.safe_regex_match.regex: invalid regex '(': "
            + "error parsing regexp: missing closing ): `(`",
        configError("{\"header_filter\": {\"header\": {\"name\": \"a\", \"safe_regex_match\": {\"regex\": \"(\"}}}}"));
    assertEquals("filter.extension_filter: Didn't find a registered implementation for name: "
        + "'envoy.access_loggers.extension_filters.cel'",
        configError("{\"extension_filter\": {\"name\": \"envoy.access_loggers.extension_filters.cel\"}}"));
    assertEquals("filter: value is required (one of the filter types must be set)", configError("{}"));
  }
}
