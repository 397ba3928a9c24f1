package dev.xdsdp.wasm.abi.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.wasm.abi.StreamType;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestStreamHost;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Local responses, continue and close, and the mapping of headers-callback results. */
class StreamControlAbiTest {

  private static PluginHarness h;
  private static PluginHarness allowStop;

  @BeforeAll
  static void start() {
    h = PluginHarness.create("abi_suite", b -> {});
    allowStop = PluginHarness.create("abi_suite", b -> b.allowOnHeadersStopIteration(true));
  }

  @AfterAll
  static void stop() {
    h.close();
    allowStop.close();
  }

  private static FilterHeadersStatus headers(PluginHarness p, TestStreamHost host) {
    p.log.clear();
    PluginHarness.TestStream s = p.stream(host);
    FilterHeadersStatus st = s.requestHeaders(false);
    s.destroy();
    return st;
  }

  @Test
  void localResponseIsSentAfterTheCallbackAndForcesStop() {
    TestStreamHost host = TestStreamHost.request("GET", "/deny", "x-case", "local");
    // The module returns Continue, but a local reply always stops iteration.
    assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, headers(h, host));
    assertEquals("0", h.log.get("local"));
    assertEquals("2", h.log.get("local_again"));
    assertEquals(1, host.localReplies.size());
    LocalReply r = host.localReplies.getFirst();
    assertEquals(403, r.status());
    assertEquals("forbidden", r.body());
    assertEquals("denied_by_wasm", r.details()); // no spaces in response code details
    assertEquals(-1, r.grpcStatus());
    assertEquals(
        List.of(new LocalReply.Header("x-wasm", "deny"), new LocalReply.Header("content-type", "text/plain")),
        r.headers());
  }

  @Test
  void theLocalResponseItselfPassesThroughTheStreamsResponseCallbacks() {
    // A data plane encodes the local reply through the same filter, from inside the callback that
    // sent it: only that callback is forced to stop, not the reply's own response headers.
    TestStreamHost host = TestStreamHost.request("GET", "/deny", "x-case", "local");
    PluginHarness.TestStream[] s = new PluginHarness.TestStream[1];
    FilterHeadersStatus[] replyHeaders = new FilterHeadersStatus[1];
    host.onLocalReply = r -> {
      host.withResponse(r.status());
      replyHeaders[0] = s[0].responseHeaders(true);
    };
    s[0] = h.stream(host);
    assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, s[0].requestHeaders(true));
    s[0].destroy();
    assertEquals(FilterHeadersStatus.CONTINUE, replyHeaders[0]);
    assertEquals("1", host.responseHeaders.get("x-wasm-response"));
  }

  @Test
  void localResponseWithGrpcStatus() {
    TestStreamHost host = TestStreamHost.request("POST", "/svc/M", "x-case", "local_grpc");
    headers(h, host);
    assertEquals(7, host.localReplies.getFirst().grpcStatus());
    assertEquals(200, host.localReplies.getFirst().status());
  }

  @Test
  void localResponseFromTheResponsePath() {
    TestStreamHost host = TestStreamHost.request("GET", "/r", "x-resp", "local").withResponse(200);
    h.log.clear();
    PluginHarness.TestStream s = h.stream(host);
    s.requestHeaders(true);
    assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, s.responseHeaders(false));
    s.destroy();
    assertEquals(502, host.localReplies.getFirst().status());
    assertEquals("from_response", host.localReplies.getFirst().details());
  }

  @Test
  void headersResultsMapAsCppHost() {
    assertEquals(FilterHeadersStatus.CONTINUE, headers(h, TestStreamHost.request("GET", "/", "x-case", "none")));
    // 1 (StopIteration) becomes StopAllIterationAndWatermark unless allowed.
    assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
        headers(h, TestStreamHost.request("GET", "/", "x-case", "pause")));
    assertEquals(FilterHeadersStatus.STOP_ITERATION,
        headers(allowStop, TestStreamHost.request("GET", "/", "x-case", "pause")));
    // 2 ContinueAndEndStream falls back to Continue; 3 is StopAllIterationAndBuffer; larger ones
    // become StopAllIterationAndWatermark.
    assertEquals(FilterHeadersStatus.CONTINUE,
        headers(h, TestStreamHost.request("GET", "/", "x-case", "continue_and_end")));
    assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_BUFFER,
        headers(h, TestStreamHost.request("GET", "/", "x-case", "stop_all")));
    assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
        headers(h, TestStreamHost.request("GET", "/", "x-case", "big_status")));
  }

  @Test
  void continueAndCloseReachTheHostAfterTheCall() {
    TestStreamHost c = TestStreamHost.request("GET", "/", "x-case", "continue_now");
    headers(h, c);
    assertEquals("0", h.log.get("continue_stream"));
    assertEquals(List.of(StreamType.HTTP_REQUEST), c.continued);
    TestStreamHost x = TestStreamHost.request("GET", "/", "x-case", "close");
    headers(h, x);
    assertEquals("0", h.log.get("close_stream"));
    assertEquals(List.of(StreamType.HTTP_REQUEST), x.closed);
  }

  @Test
  void deferredActionsRunAfterTheModuleReturns() {
    // The host sees the local reply only once on_request_headers has returned: the module logged
    // "local=0" and "local_again=2" before any reply existed.
    TestStreamHost host = TestStreamHost.request("GET", "/", "x-case", "local");
    host.onLocalReply =
        reply -> assertTrue(h.log.get("local_again") != null, "reply sent while the module was still running");
    headers(h, host);
    assertEquals(1, host.localReplies.size());
  }
}
