package dev.xdsdp.wasm.abi.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.http.FilterDataStatus;
import dev.xdsdp.api.http.FilterTrailersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestStreamHost;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Body buffers: reads, Envoy's three supported writes, status, buffering and trailers. */
class BufferAbiTest {

  private static PluginHarness h;

  @BeforeAll
  static void start() {
    h = PluginHarness.create("abi_suite", b -> {});
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static String body(TestStreamHost host) {
    return new String(host.requestBody.toByteArray(), StandardCharsets.UTF_8);
  }

  private static TestStreamHost withBody(String op, String body) {
    TestStreamHost host = TestStreamHost.request("POST", "/b", "x-body", op);
    host.requestBody = BodyBuffer.wrap(body.getBytes(StandardCharsets.UTF_8));
    return host;
  }

  private static FilterDataStatus runBody(TestStreamHost host, boolean eos) {
    h.log.clear();
    PluginHarness.TestStream s = h.stream(host);
    s.requestHeaders(false);
    FilterDataStatus status = s.requestBody(eos);
    s.destroy();
    return status;
  }

  @Test
  void readsTheWholeBodyAndAPart() {
    assertEquals(FilterDataStatus.CONTINUE, runBody(withBody("read", "hello body"), true));
    assertEquals("hello body", h.log.get("body"));
    assertEquals("10", h.log.get("request_body"));
    assertEquals("1", h.log.get("request_body_eos"));
    runBody(withBody("read_part", "0123456789"), true);
    assertEquals("0", h.log.get("read_part"));
    assertEquals("234", h.log.get("part"));
  }

  @Test
  void appendPrependReplace() {
    TestStreamHost a = withBody("append", "hello");
    runBody(a, true);
    assertEquals("0", h.log.get("append"));
    assertEquals("hello world", body(a));
    TestStreamHost p = withBody("prepend", "world");
    runBody(p, true);
    assertEquals("hello world", body(p));
    TestStreamHost r = withBody("replace", "something long");
    runBody(r, true);
    assertEquals("replaced", body(r));
    TestStreamHost m = withBody("replace_max", "old");
    runBody(m, true);
    assertEquals("all new", body(m));
  }

  @Test
  void writingIntoTheMiddleIsRefusedAsInEnvoy() {
    TestStreamHost host = withBody("middle", "abcdef");
    runBody(host, true);
    assertEquals("2", h.log.get("middle"));
    assertEquals("abcdef", body(host));
  }

  @Test
  void bufferStatusReportsSizeAndNoFlags() {
    runBody(withBody("status", "12345"), true);
    assertEquals("0", h.log.get("status"));
    assertEquals("5", h.log.get("status_size"));
    assertEquals("0", h.log.get("status_flags"));
  }

  @Test
  void pauseMeansStopIterationAndBuffer() {
    TestStreamHost host = withBody("buffer", "part1");
    h.log.clear();
    PluginHarness.TestStream s = h.stream(host);
    s.requestHeaders(false);
    assertEquals(FilterDataStatus.STOP_ITERATION_AND_BUFFER, s.requestBody(false));
    host.requestBody.append("part2".getBytes(StandardCharsets.UTF_8));
    assertEquals(FilterDataStatus.CONTINUE, s.requestBody(true));
    assertEquals("part1part2", h.log.get("buffered"));
    s.destroy();
  }

  @Test
  void otherBodyResultsMapAsCppHost() {
    assertEquals(FilterDataStatus.STOP_ITERATION_NO_BUFFER, runBody(withBody("no_buffer", "x"), false));
    assertEquals(FilterDataStatus.STOP_ITERATION_AND_WATERMARK, runBody(withBody("watermark", "x"), false));
  }

  @Test
  void trailersCanBeAddedAtTheLastBodyChunk() {
    TestStreamHost host = withBody("trailers", "x");
    host.canAddTrailers = true;
    runBody(host, true);
    assertEquals("0", h.log.get("add_trailer"));
    assertEquals(List.of("yes"), host.requestTrailers.getAll("x-added-trailer"));
    TestStreamHost none = withBody("trailers", "x");
    runBody(none, false);
    assertEquals("2", h.log.get("add_trailer")); // no trailers to write yet: BAD_ARGUMENT
  }

  @Test
  void trailerCallbacks() {
    TestStreamHost host = TestStreamHost.request("POST", "/t", "x-trailers", "add");
    host.requestTrailers = HeaderMap.create();
    host.requestTrailers.add("grpc-status", "0");
    h.log.clear();
    PluginHarness.TestStream s = h.stream(host);
    s.requestHeaders(false);
    assertEquals(FilterTrailersStatus.CONTINUE, s.requestTrailers());
    assertEquals("1", h.log.get("request_trailers"));
    assertEquals(List.of("1"), host.requestTrailers.getAll("x-wasm-trailer"));
    host.requestHeaders.set("x-trailers", "stop");
    assertEquals(FilterTrailersStatus.STOP_ITERATION, s.requestTrailers());
    s.destroy();
  }

  @Test
  void responseBodyRewrite() {
    TestStreamHost host = TestStreamHost.request("GET", "/r", "x-resp", "rewrite").withResponse(200);
    host.responseBody = BodyBuffer.wrap("original".getBytes(StandardCharsets.UTF_8));
    h.log.clear();
    PluginHarness.TestStream s = h.stream(host);
    s.requestHeaders(true);
    s.responseHeaders(false);
    assertEquals(FilterDataStatus.CONTINUE, s.responseBody(true));
    assertEquals("0", h.log.get("rewrite"));
    assertEquals("rewritten", new String(host.responseBody.toByteArray(), StandardCharsets.UTF_8));
    s.destroy();
  }
}
