package dev.xdsdp.dataplane.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.filter.FilterDispatcher;
import dev.xdsdp.api.filter.RouteSpecificConfig;
import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.http.DecoderFilterCallbacks;
import dev.xdsdp.api.http.EncoderFilterCallbacks;
import dev.xdsdp.api.http.FilterDataStatus;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.FilterTrailersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.HttpFilter;
import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.api.http.Protocol;
import dev.xdsdp.api.http.RouteView;
import dev.xdsdp.api.stream.Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The filter manager's iteration rules, with scripted filters and a recording sink. */
class FilterManagerTest {

  /** Everything that reaches the client, in order. */
  static final class Sink implements FilterManager.StreamSink {
    final List<String> events = new ArrayList<>();
    boolean reset;

    @Override
    public void writeHeaders(HeaderMap headers, boolean endStream) {
      events.add("headers:" + headers.status() + (endStream ? ":end" : ""));
    }

    @Override
    public void writeData(BodyBuffer data, boolean endStream) {
      events.add("data:" + new String(data.toByteArray(), UTF_8) + (endStream ? ":end" : ""));
    }

    @Override
    public void writeTrailers(HeaderMap trailers) {
      events.add("trailers:" + trailers.entries());
    }

    @Override
    public void resetStream() {
      reset = true;
      events.add("reset");
    }

    @Override
    public void setReadDisabled(boolean disabled) {
      events.add(disabled ? "read-disabled" : "read-enabled");
    }

    @Override
    public RouteView route() {
      return null;
    }

    @Override
    public void clearRouteCache() {}

    @Override
    public RouteSpecificConfig perRouteConfig(String filterName) {
      return null;
    }

    @Override
    public HeaderMap localReplyHeaders(LocalReply reply, HeaderMap requestHeaders) {
      return LocalReplies.headers(reply, requestHeaders);
    }
  }

  /** A filter that logs what it sees and answers with scripted statuses. */
  static class Recorder implements HttpFilter {
    final String name;
    final List<String> log;
    DecoderFilterCallbacks dec;
    EncoderFilterCallbacks enc;
    FilterHeadersStatus onHeaders = FilterHeadersStatus.CONTINUE;
    Function<Boolean, FilterDataStatus> onData = end -> FilterDataStatus.CONTINUE;
    FilterHeadersStatus onResponseHeaders = FilterHeadersStatus.CONTINUE;
    Function<Boolean, FilterDataStatus> onResponseData = end -> FilterDataStatus.CONTINUE;

    Recorder(String name, List<String> log) {
      this.name = name;
      this.log = log;
    }

    @Override
    public void setDecoderFilterCallbacks(DecoderFilterCallbacks callbacks) {
      dec = callbacks;
    }

    @Override
    public void setEncoderFilterCallbacks(EncoderFilterCallbacks callbacks) {
      enc = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
      log.add(name + ".decodeHeaders" + (endStream ? ":end" : ""));
      return onHeaders;
    }

    @Override
    public FilterDataStatus decodeData(BodyBuffer data, boolean endStream) {
      log.add(name + ".decodeData:" + new String(data.toByteArray(), UTF_8) + (endStream ? ":end" : ""));
      return onData.apply(endStream);
    }

    @Override
    public FilterTrailersStatus decodeTrailers(HeaderMap trailers) {
      log.add(name + ".decodeTrailers");
      return FilterTrailersStatus.CONTINUE;
    }

    @Override
    public FilterHeadersStatus encodeHeaders(HeaderMap headers, boolean endStream) {
      log.add(name + ".encodeHeaders:" + headers.status() + (endStream ? ":end" : ""));
      return onResponseHeaders;
    }

    @Override
    public FilterDataStatus encodeData(BodyBuffer data, boolean endStream) {
      log.add(name + ".encodeData:" + new String(data.toByteArray(), UTF_8) + (endStream ? ":end" : ""));
      return onResponseData.apply(endStream);
    }

    @Override
    public void onStreamComplete() {
      log.add(name + ".complete");
    }

    @Override
    public void onDestroy() {
      log.add(name + ".destroy");
    }
  }

  /** Terminal filter that echoes the request body back once the request is complete. */
  static final class Echo extends Recorder {
    final StringBuilder body = new StringBuilder();

    Echo(List<String> log) {
      super("echo", log);
      onHeaders = FilterHeadersStatus.STOP_ITERATION;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
      super.decodeHeaders(headers, endStream);
      if (endStream) {
        respond();
      }
      return FilterHeadersStatus.STOP_ITERATION;
    }

    @Override
    public FilterDataStatus decodeData(BodyBuffer data, boolean endStream) {
      super.decodeData(data, endStream);
      body.append(new String(data.toByteArray(), UTF_8));
      if (endStream) {
        respond();
      }
      return FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }

    private void respond() {
      HeaderMap h = HeaderMap.create();
      h.add(":status", "200");
      dec.encodeHeaders(h, false);
      dec.encodeData(BodyBuffer.wrap(("echo " + body).getBytes(UTF_8)), true);
    }
  }

  static final FilterDispatcher NO_DISPATCH = new FilterDispatcher() {
    @Override
    public void post(Runnable task) {
      task.run();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      return () -> {};
    }

    @Override
    public boolean isOnLoop() {
      return true;
    }
  };

  final List<String> log = new ArrayList<>();
  final Sink sink = new Sink();

  FilterManager manager(HttpFilter... filters) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < filters.length; i++) {
      names.add("f" + i);
    }
    StreamInfoImpl info = new StreamInfoImpl(Protocol.HTTP_1_1, 1, "l", Address.ofIp("127.0.0.1", 1),
        Address.ofIp("127.0.0.1", 2), "");
    return new FilterManager(List.of(filters), names, sink, info, NO_DISPATCH, 1, 64);
  }

  static HeaderMap request() {
    HeaderMap h = HeaderMap.create();
    h.add(":method", "POST");
    h.add(":path", "/");
    h.add(":authority", "x");
    return h;
  }

  static BodyBuffer body(String s) {
    return BodyBuffer.wrap(s.getBytes(UTF_8));
  }

  @Test
  void everythingContinuesThroughToTheTerminalFilterAndBackInReverse() {
    Recorder a = new Recorder("a", log);
    Echo echo = new Echo(log);
    FilterManager fm = manager(a, echo);
    fm.decodeHeaders(request(), false);
    fm.decodeData(body("x"), false);
    fm.decodeData(body("y"), true);
    assertEquals(List.of("a.decodeHeaders", "echo.decodeHeaders", "a.decodeData:x", "echo.decodeData:x",
        "a.decodeData:y:end", "echo.decodeData:y:end", "echo.encodeHeaders:200", "a.encodeHeaders:200",
        "echo.encodeData:echo xy:end", "a.encodeData:echo xy:end"), log);
    assertEquals(List.of("headers:200", "data:echo xy:end"), sink.events);
  }

  @Test
  void stopIterationHoldsHeadersButTheFilterStillSeesDataUntilItContinues() {
    Recorder a = new Recorder("a", log);
    a.onHeaders = FilterHeadersStatus.STOP_ITERATION;
    a.onData = end -> FilterDataStatus.STOP_ITERATION_AND_BUFFER;
    Echo echo = new Echo(log);
    FilterManager fm = manager(a, echo);
    fm.decodeHeaders(request(), false);
    fm.decodeData(body("1"), false);
    fm.decodeData(body("2"), true);
    assertEquals(List.of("a.decodeHeaders", "a.decodeData:1", "a.decodeData:2:end"), log);
    assertEquals("12", new String(a.dec.decodingBuffer().toByteArray(), UTF_8));
    log.clear();
    a.dec.continueDecoding();
    assertEquals("echo.decodeHeaders", log.get(0));
    assertEquals("echo.decodeData:12:end", log.get(1));
    assertEquals(List.of("headers:200", "data:echo 12:end"), sink.events);
  }

  @Test
  void stopAllBuffersWithoutCallingTheFilterAndReplaysToItOnContinue() {
    Recorder a = new Recorder("a", log);
    a.onHeaders = FilterHeadersStatus.STOP_ALL_ITERATION_AND_BUFFER;
    Echo echo = new Echo(log);
    FilterManager fm = manager(a, echo);
    fm.decodeHeaders(request(), false);
    fm.decodeData(body("ab"), false);
    fm.decodeData(body("cd"), true);
    assertEquals(List.of("a.decodeHeaders"), log);
    log.clear();
    a.dec.continueDecoding();
    assertEquals(List.of("echo.decodeHeaders", "a.decodeData:abcd:end", "echo.decodeData:abcd:end"), log.subList(0, 3));
    assertEquals(List.of("headers:200", "data:echo abcd:end"), sink.events);
  }

  @Test
  void continueFromDataAfterStoppedHeadersPassesHeadersThenTheBufferedBody() {
    Recorder a = new Recorder("a", log);
    a.onHeaders = FilterHeadersStatus.STOP_ITERATION;
    a.onData = end -> end ? FilterDataStatus.CONTINUE : FilterDataStatus.STOP_ITERATION_AND_BUFFER;
    Echo echo = new Echo(log);
    FilterManager fm = manager(a, echo);
    fm.decodeHeaders(request(), false);
    fm.decodeData(body("p"), false);
    fm.decodeData(body("q"), true);
    assertEquals(List.of("a.decodeHeaders", "a.decodeData:p", "a.decodeData:q:end", "echo.decodeHeaders",
        "echo.decodeData:pq:end"), log.subList(0, 5));
    assertEquals(List.of("headers:200", "data:echo pq:end"), sink.events);
  }

  @Test
  void headerOnlyRequestHeldThenContinuedKeepsEndOfStream() {
    Recorder a = new Recorder("a", log);
    a.onHeaders = FilterHeadersStatus.STOP_ITERATION;
    Echo echo = new Echo(log);
    FilterManager fm = manager(a, echo);
    fm.decodeHeaders(request(), true);
    a.dec.continueDecoding();
    assertEquals(List.of("a.decodeHeaders:end", "echo.decodeHeaders:end"), log.subList(0, 2));
    assertEquals(List.of("headers:200", "data:echo :end"), sink.events);
  }

  @Test
  void localReplyFromAFilterSkipsTheRestOfTheDecodeChainButRunsEveryEncoder() {
    Recorder a = new Recorder("a", log) {
      @Override
      public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
        super.decodeHeaders(headers, endStream);
        dec.sendLocalReply(LocalReply.of(403, "denied", "rbac_access_denied"));
        return FilterHeadersStatus.STOP_ITERATION;
      }
    };
    Echo echo = new Echo(log);
    FilterManager fm = manager(a, echo);
    fm.decodeHeaders(request(), false);
    fm.decodeData(body("ignored"), true);
    assertEquals(List.of("a.decodeHeaders", "echo.encodeHeaders:403", "a.encodeHeaders:403",
        "echo.encodeData:denied:end", "a.encodeData:denied:end"), log);
    assertEquals(List.of("headers:403", "data:denied:end"), sink.events);
  }

  @Test
  void grpcLocalReplyIsATrailersOnlyResponse() {
    Recorder a = new Recorder("a", log);
    FilterManager fm = manager(a);
    HeaderMap h = request();
    h.add("content-type", "application/grpc");
    fm.decodeHeaders(h, false);
    fm.sendLocalReply(LocalReply.of(503, "no healthy upstream", "no_healthy_upstream"));
    assertEquals(List.of("headers:200:end"), sink.events);
    assertEquals("14", fm.responseHeaders().get("grpc-status"));
    assertEquals("no healthy upstream", fm.responseHeaders().get("grpc-message"));
  }

  @Test
  void requestBodyOverTheBufferLimitFailsWith413() {
    Recorder a = new Recorder("a", log);
    a.onHeaders = FilterHeadersStatus.STOP_ALL_ITERATION_AND_BUFFER;
    Echo echo = new Echo(log);
    FilterManager fm = manager(a, echo);
    fm.decodeHeaders(request(), false);
    fm.decodeData(body("x".repeat(100)), false);
    assertEquals("headers:413", sink.events.get(0));
    assertTrue(fm.isResponseComplete());
  }

  @Test
  void requestBodyOverTheLimitWithStopAndBufferFailsWith413() {
    Recorder a = new Recorder("a", log);
    a.onData = end -> FilterDataStatus.STOP_ITERATION_AND_BUFFER;
    FilterManager fm = manager(a, new Echo(log));
    fm.decodeHeaders(request(), false);
    fm.decodeData(body("x".repeat(40)), false);
    assertEquals(List.of(), sink.events);
    fm.decodeData(body("y".repeat(40)), false);
    assertEquals("headers:413", sink.events.get(0));
  }

  /**
   * StopIterationAndWatermark: over the limit the client is paused instead of failed (Envoy's
   * decoder_filters_streaming_), and resumed once the filter lets the buffer go.
   */
  @Test
  void requestBodyOverTheLimitWithWatermarkPausesTheClientUntilTheFilterContinues() {
    Recorder a = new Recorder("a", log);
    a.onData = end -> FilterDataStatus.STOP_ITERATION_AND_WATERMARK;
    Echo echo = new Echo(log);
    FilterManager fm = manager(a, echo);
    fm.decodeHeaders(request(), false);
    fm.decodeData(body("x".repeat(40)), false);
    assertEquals(List.of(), sink.events, "under the limit: only buffered");
    fm.decodeData(body("y".repeat(40)), false);
    assertEquals(List.of("read-disabled"), sink.events, "over the limit: the client is paused, no 413");
    fm.decodeData(body("z"), false);
    assertEquals(List.of("read-disabled"), sink.events, "paused once, however much more arrives");
    a.onData = end -> FilterDataStatus.CONTINUE;
    a.dec.continueDecoding();
    assertEquals(List.of("read-disabled", "read-enabled"), sink.events);
    assertEquals(81, echo.body.length(), "everything held went on");
    fm.decodeData(body("!"), true);
    assertEquals("headers:200", sink.events.get(2));
  }

  /**
   * StopAllIterationAndWatermark at the headers (what a proxy-wasm filter gets when it pauses
   * there, e.g. for an auth callout): the body that arrives meanwhile is held, and past the limit
   * the client is paused instead of answered 413; when the filter continues, everything goes on.
   */
  @Test
  void stopAllWithWatermarkAtTheHeadersPausesTheClientInsteadOf413() {
    Recorder a = new Recorder("a", log);
    a.onHeaders = FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
    Echo echo = new Echo(log);
    FilterManager fm = manager(a, echo);
    fm.decodeHeaders(request(), false);
    fm.decodeData(body("x".repeat(50)), false);
    fm.decodeData(body("y".repeat(50)), false);
    assertEquals(List.of("read-disabled"), sink.events, "over the limit: paused, no 413");
    assertEquals(List.of("a.decodeHeaders"), log, "the filter is not called while it holds everything");
    a.dec.continueDecoding();
    assertEquals(List.of("read-disabled", "read-enabled"), sink.events);
    fm.decodeData(body("z"), true);
    assertEquals(101, echo.body.length());
    assertEquals("headers:200", sink.events.get(2));
  }

  @Test
  void aClientPausedForAFilterBufferIsResumedWhenTheStreamEnds() {
    Recorder a = new Recorder("a", log);
    a.onData = end -> FilterDataStatus.STOP_ITERATION_AND_WATERMARK;
    FilterManager fm = manager(a, new Echo(log));
    fm.decodeHeaders(request(), false);
    fm.decodeData(body("x".repeat(100)), false);
    fm.onStreamComplete();
    assertEquals(List.of("read-disabled", "read-enabled"), sink.events);
  }

  /** Response side: a watermark buffer over the limit pauses the upstream (the router's callbacks). */
  @Test
  void responseBodyOverTheLimitWithWatermarkPausesTheUpstreamUntilTheFilterContinues() {
    Recorder a = new Recorder("a", log);
    a.onResponseData = end -> FilterDataStatus.STOP_ITERATION_AND_WATERMARK;
    List<String> upstream = new ArrayList<>();
    Recorder terminal = new Recorder("t", log) {
      @Override
      public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
        dec.addDownstreamWatermarkCallbacks(new dev.xdsdp.api.http.WatermarkCallbacks() {
          @Override
          public void onAboveWriteBufferHighWatermark() {
            upstream.add("pause");
          }

          @Override
          public void onBelowWriteBufferLowWatermark() {
            upstream.add("resume");
          }
        });
        HeaderMap h = HeaderMap.create();
        h.add(":status", "200");
        dec.encodeHeaders(h, false);
        return FilterHeadersStatus.STOP_ITERATION;
      }
    };
    FilterManager fm = manager(a, terminal);
    fm.decodeHeaders(request(), true);
    terminal.dec.encodeData(body("x".repeat(60)), false);
    assertEquals(List.of(), upstream);
    terminal.dec.encodeData(body("y".repeat(60)), false);
    assertEquals(List.of("pause"), upstream);
    assertEquals(List.of("headers:200"), sink.events, "no 500, no reset: only paused");
    // The downstream socket's own back-pressure overlaps: the upstream stays paused until both end.
    fm.onAboveWriteBufferHighWatermark();
    a.onResponseData = end -> FilterDataStatus.CONTINUE;
    a.enc.continueEncoding();
    assertEquals(List.of("pause"), upstream, "the socket is still above its watermark");
    fm.onBelowWriteBufferLowWatermark();
    assertEquals(List.of("pause", "resume"), upstream);
    assertEquals("data:" + "x".repeat(60) + "y".repeat(60), sink.events.get(1));
  }

  @Test
  void encoderBufferingUntilEndThenRewritingTheBody() {
    Recorder a = new Recorder("a", log) {
      @Override
      public FilterDataStatus encodeData(BodyBuffer data, boolean endStream) {
        super.encodeData(data, endStream);
        if (!endStream) {
          return FilterDataStatus.STOP_ITERATION_AND_BUFFER;
        }
        BodyBuffer buffered = enc.encodingBuffer();
        String all = (buffered == null ? "" : new String(buffered.toByteArray(), UTF_8)) + new String(data.toByteArray(), UTF_8);
        if (buffered != null) {
          buffered.clear();
        }
        data.replace(0, data.length(), all.toUpperCase().getBytes(UTF_8));
        return FilterDataStatus.CONTINUE;
      }
    };
    a.onResponseHeaders = FilterHeadersStatus.STOP_ITERATION;
    Recorder terminal = new Recorder("t", log) {
      @Override
      public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
        HeaderMap h = HeaderMap.create();
        h.add(":status", "200");
        dec.encodeHeaders(h, false);
        dec.encodeData(body("abc"), false);
        dec.encodeData(body("def"), true);
        return FilterHeadersStatus.STOP_ITERATION;
      }
    };
    FilterManager fm = manager(a, terminal);
    fm.decodeHeaders(request(), true);
    assertEquals(List.of("headers:200", "data:ABCDEF:end"), sink.events);
  }

  @Test
  void destroyCallsCompleteThenDestroyOnEveryFilterOnce() {
    Recorder a = new Recorder("a", log);
    Recorder b = new Recorder("b", log);
    FilterManager fm = manager(a, b);
    fm.onStreamComplete();
    fm.destroy();
    fm.destroy();
    assertEquals(List.of("a.complete", "b.complete", "a.destroy", "b.destroy"), log);
  }
}
