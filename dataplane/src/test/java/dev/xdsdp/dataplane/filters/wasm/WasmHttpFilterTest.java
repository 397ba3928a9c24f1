package dev.xdsdp.dataplane.filters.wasm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.StringValue;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.api.filter.RouteSpecificConfig;
import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.http.DecoderFilterCallbacks;
import dev.xdsdp.api.http.FilterDataStatus;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.HttpFilter;
import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.api.http.Protocol;
import dev.xdsdp.api.http.RouteView;
import dev.xdsdp.api.registry.ExtensionRegistry;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.dataplane.filters.BuiltinExtensions;
import dev.xdsdp.dataplane.http.FilterManager;
import dev.xdsdp.dataplane.http.LocalReplies;
import dev.xdsdp.dataplane.http.StreamInfoImpl;
import dev.xdsdp.dataplane.http.VertxDispatcher;
import dev.xdsdp.dataplane.server.WorkerLoops;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import dev.xdsdp.wasm.testing.TestModules;
import dev.xdsdp.xds.bootstrap.EnvoyJson;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.cluster.ClusterResourceType;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AsyncDataSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import io.envoyproxy.envoy.extensions.filters.http.wasm.v3.Wasm;
import io.envoyproxy.envoy.extensions.wasm.v3.PluginConfig;
import io.envoyproxy.envoy.extensions.wasm.v3.VmConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Wasm filter in a real filter manager on a real Vert.x worker loop, with the wasm-runtime's
 * {@code abi_suite} module (its behaviour picked per request by {@code x-case}/{@code x-body}/
 * {@code x-resp}; it reports {@code key=value} lines through {@code proxy_log}, captured here).
 */
class WasmHttpFilterTest {

  static Vertx vertx;
  static WorkerLoops loops;
  static StatsStore stats;
  static ClusterManager clusters;
  static WasmHost host;
  static WasmFilterFactory factory;
  static HttpServer callee;
  static final List<String> calleeSaw = new CopyOnWriteArrayList<>();
  static final List<String> log = new CopyOnWriteArrayList<>();
  static final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      String m = r.getMessage();
      int colon = m.indexOf(": ");
      if (m.startsWith("wasm log") && colon > 0) {
        log.add(m.substring(colon + 2));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  static FilterFactory closed;
  static FilterFactory open;
  /** Fail-closed too, for the trap test alone: a trapped VM is down for its backoff. */
  static FilterFactory trapping;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    loops = WorkerLoops.start(vertx, 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    stats = StatsStore.create(StatsConfig.getDefaultInstance());
    clusters = new ClusterManager(vertx, stats);
    callee = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      calleeSaw.add(req.method() + " " + req.uri() + " " + req.authority() + " x-from=" + req.getHeader("x-from")
          + " body=" + b);
      req.response().putHeader("x-callee", "1").end("pong");
    }));
    callee.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ExtensionRegistry registry = BuiltinExtensions.create(clusters, (v, rq, rs, i) -> v, List.of());
    Cluster.Builder cb = Cluster.newBuilder();
    EnvoyJson.parse("""
        name: backend
        connect_timeout: 1s
        load_assignment:
          cluster_name: backend
          endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } } }] }]
        """.formatted(callee.actualPort()), cb, "cluster.yaml");
    clusters.addStatic(ClusterResourceType.parse(cb.build(),
        new ParseContext(registry, stats, Node.getDefaultInstance(), true, new ConfigIssues(), a -> a)));
    ListenerConfig outbound = new ListenerConfig("l1", null, "l1", List.of(), null, "OUTBOUND", 0, true,
        io.envoyproxy.envoy.config.listener.v3.Listener.getDefaultInstance());
    host = WasmHost.attach(registry, new WasmHost.Services(stats, Node.newBuilder().setId("node-7").build(), loops,
        clusters, null, name -> name.equals("l1") ? outbound : null));
    factory = (WasmFilterFactory) registry.httpFilterByName(WasmFilterFactory.NAME).orElseThrow();
    Logger.getLogger("wasm").addHandler(capture);
    closed = plugin("closed", false);
    open = plugin("open", true);
    trapping = plugin("trapping", false);
  }

  @AfterAll
  static void stop() throws Exception {
    Logger.getLogger("wasm").removeHandler(capture);
    closed.release();
    open.release();
    trapping.release();
    host.close();
    clusters.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void clearLog() {
    log.clear();
  }

  static FilterFactory plugin(String name, boolean failOpen) throws Exception {
    Wasm w = Wasm.newBuilder().setConfig(PluginConfig.newBuilder()
        .setName(name)
        .setFailOpen(failOpen)
        .setVmConfig(VmConfig.newBuilder().setVmId("vm_" + name).setCode(AsyncDataSource.newBuilder()
            .setLocal(DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(TestModules.bytes("abi_suite"))))))
        .setConfiguration(Any.pack(StringValue.of("plugin=" + name))))
        .build();
    return factory.createFilterFactory(Any.pack(w), new FactoryContext() {
      @Override
      public StatsScope scope() {
        return stats;
      }

      @Override
      public Node localNode() {
        return Node.getDefaultInstance();
      }

      @Override
      public String listenerName() {
        return "l1";
      }

      @Override
      public boolean isStatic() {
        return true;
      }
    });
  }

  static <T> T onLoop(Callable<T> work) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    Context c = loops.contexts().getFirst();
    c.runOnContext(v -> {
      try {
        f.complete(work.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    return f.get(10, TimeUnit.SECONDS);
  }

  /** The last value a {@code key=value} report gave, or null. */
  static String report(String key) {
    String value = null;
    for (String l : log) {
      if (l.startsWith(key + "=")) {
        value = l.substring(key.length() + 1);
      }
    }
    return value;
  }

  static List<String> reports(String key) {
    List<String> out = new ArrayList<>();
    for (String l : log) {
      if (l.startsWith(key + "=")) {
        out.add(l.substring(key.length() + 1));
      }
    }
    return out;
  }

  /**
   * One stream: the Wasm filter, then an "upstream" filter that records the request and answers
   * it at end of stream with {@link #responseBody} in {@link #responseChunks} chunks.
   */
  static final class Stream implements FilterManager.StreamSink {
    final List<String> events = new CopyOnWriteArrayList<>();
    final StreamInfoImpl info = new StreamInfoImpl(Protocol.HTTP_1_1, 1, "l1", Address.ofIp("10.0.0.1", 5555),
        Address.ofIp("10.0.0.2", 8080), "");
    final StringBuilder upstreamBody = new StringBuilder();
    final CompletableFuture<HeaderMap> upstreamHeaders = new CompletableFuture<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    HeaderMap responseHeaders;
    final StringBuilder responseBody = new StringBuilder();
    String answer = "hello";
    int answerChunks = 1;
    HttpFilter wasm;
    FilterManager fm;

    Stream(FilterFactory plugin) throws Exception {
      onLoop(() -> {
        wasm = plugin.create();
        HttpFilter upstream = new HttpFilter() {
          DecoderFilterCallbacks cb;

          @Override
          public void setDecoderFilterCallbacks(DecoderFilterCallbacks callbacks) {
            cb = callbacks;
          }

          @Override
          public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
            upstreamHeaders.complete(headers);
            if (endStream) {
              respond();
            }
            return FilterHeadersStatus.STOP_ITERATION;
          }

          @Override
          public FilterDataStatus decodeData(BodyBuffer data, boolean endStream) {
            events.add("upstream data:" + new String(data.toByteArray(), UTF_8) + (endStream ? ":end" : ""));
            upstreamBody.append(new String(data.toByteArray(), UTF_8));
            if (endStream) {
              respond();
            }
            return FilterDataStatus.STOP_ITERATION_NO_BUFFER;
          }

          private void respond() {
            HeaderMap h = HeaderMap.create();
            h.add(":status", "200");
            cb.encodeHeaders(h, false);
            int step = Math.max(1, answer.length() / answerChunks);
            for (int i = 0; i < answer.length(); i += step) {
              int end = Math.min(answer.length(), i + step);
              cb.encodeData(BodyBuffer.wrap(answer.substring(i, end).getBytes(UTF_8)), end == answer.length());
            }
          }
        };
        fm = new FilterManager(List.of(wasm, upstream), List.of("wasm", "upstream"), this, info,
            new VertxDispatcher(Vertx.currentContext()), 1, 1024 * 1024);
        return null;
      });
    }

    static HeaderMap request(String method, String path, String... headers) {
      HeaderMap h = HeaderMap.create();
      h.add(":method", method);
      h.add(":path", path);
      h.add(":authority", "example.com");
      h.add(":scheme", "http");
      for (int i = 0; i < headers.length; i += 2) {
        h.add(headers[i], headers[i + 1]);
      }
      return h;
    }

    void headers(HeaderMap h, boolean end) throws Exception {
      info.setRequestHeaders(h);
      onLoop(() -> {
        fm.decodeHeaders(h, end);
        return null;
      });
    }

    void data(String chunk, boolean end) throws Exception {
      onLoop(() -> {
        fm.decodeData(BodyBuffer.wrap(chunk.getBytes(UTF_8)), end);
        return null;
      });
    }

    /** Completes the stream as the connection manager does: stream complete, logs, destroy. */
    void finish() throws Exception {
      onLoop(() -> {
        info.onRequestComplete();
        fm.onStreamComplete();
        fm.destroy();
        return null;
      });
    }

    // StreamSink

    @Override
    public void writeHeaders(HeaderMap headers, boolean endStream) {
      responseHeaders = headers;
      info.setResponseCode(headers.status());
      info.setResponseHeaders(headers);
      events.add("headers:" + headers.status() + (endStream ? ":end" : ""));
      if (endStream) {
        done.complete(null);
      }
    }

    @Override
    public void writeData(BodyBuffer data, boolean endStream) {
      responseBody.append(new String(data.toByteArray(), UTF_8));
      events.add("data:" + new String(data.toByteArray(), UTF_8) + (endStream ? ":end" : ""));
      if (endStream) {
        done.complete(null);
      }
    }

    @Override
    public void writeTrailers(HeaderMap trailers) {
      done.complete(null);
    }

    @Override
    public void resetStream() {
      events.add("reset");
      done.complete(null);
    }

    @Override
    public void setReadDisabled(boolean disabled) {}

    @Override
    public RouteView route() {
      info.setRouteName("r1");
      info.setVirtualHostName("vh1");
      return new RouteView() {
        @Override
        public String name() {
          return "r1";
        }

        @Override
        public String virtualHostName() {
          return "vh1";
        }

        @Override
        public String routeConfigName() {
          return "rc";
        }

        @Override
        public String clusterName() {
          return "backend";
        }

        @Override
        public Duration timeout() {
          return Duration.ZERO;
        }
      };
    }

    @Override
    public void clearRouteCache() {
      events.add("clear_route_cache");
    }

    @Override
    public RouteSpecificConfig perRouteConfig(String filterName) {
      return null;
    }

    @Override
    public HeaderMap localReplyHeaders(LocalReply reply, HeaderMap requestHeaders) {
      return LocalReplies.headers(reply, requestHeaders);
    }
  }

  @Test
  void theModuleSeesTheWholeBodyWhileItBuffers() throws Exception {
    Stream s = new Stream(closed);
    s.headers(Stream.request("POST", "/b", "x-body", "buffer"), false);
    s.data("abc", false);
    s.data("def", false);
    assertTrue(s.events.isEmpty(), "nothing passes while the module buffers: " + s.events);
    s.data("ghi", true);
    assertEquals(List.of("3", "6", "9"), reports("request_body"), "each call gets the size of everything so far");
    assertEquals("abcdefghi", report("buffered"));
    assertEquals("abcdefghi", s.upstreamBody.toString());
    assertEquals("upstream data:abcdefghi:end", s.events.getFirst(), "the whole body goes on once");
    s.done.get(5, TimeUnit.SECONDS);
    s.finish();
  }

  @Test
  void theResponseBodyIsRewritten() throws Exception {
    Stream s = new Stream(closed);
    s.headers(Stream.request("GET", "/r", "x-resp", "rewrite"), true);
    s.done.get(5, TimeUnit.SECONDS);
    assertEquals("1", s.responseHeaders.get("x-wasm-response"));
    assertEquals("rewritten", s.responseBody.toString());
    s.finish();
  }

  @Test
  void aLocalReplyPassesThroughTheModulesOwnResponseCallback() throws Exception {
    Stream s = new Stream(closed);
    s.headers(Stream.request("GET", "/deny", "x-case", "local"), true);
    s.done.get(5, TimeUnit.SECONDS);
    assertFalse(s.upstreamHeaders.isDone(), "the request never reached the upstream");
    assertEquals(403, s.responseHeaders.status());
    assertEquals("deny", s.responseHeaders.get("x-wasm"));
    assertEquals("1", s.responseHeaders.get("x-wasm-response"), "on_response_headers saw the local reply");
    assertEquals("forbidden", s.responseBody.toString());
    assertEquals("denied_by_wasm", s.info.responseCodeDetails());
    s.finish();
  }

  @Test
  void anHttpCallThroughTheClusterResumesTheRequest() throws Exception {
    Stream s = new Stream(closed);
    s.headers(Stream.request("GET", "/call", "x-case", "http_call", "x-cluster", "backend"), true);
    HeaderMap up = s.upstreamHeaders.get(5, TimeUnit.SECONDS);
    assertEquals("200", up.get("x-call-status"));
    assertEquals("pong", up.get("x-call-body"));
    assertTrue(calleeSaw.contains("POST /check auth.local x-from=wasm body=ping"), calleeSaw.toString());
    s.done.get(5, TimeUnit.SECONDS);
    s.finish();
  }

  @Test
  void anHttpCallToAnUnknownClusterIsABadArgument() throws Exception {
    Stream s = new Stream(closed);
    s.headers(Stream.request("GET", "/call", "x-case", "http_call", "x-cluster", "nowhere"), true);
    assertEquals("2", report("http_call"));
    assertTrue(s.upstreamHeaders.isDone(), "the module did not pause");
    s.finish();
  }

  @Test
  void closeStreamResetsWithWasmCloseStream() throws Exception {
    Stream s = new Stream(closed);
    s.headers(Stream.request("GET", "/close", "x-case", "close"), true);
    s.done.get(5, TimeUnit.SECONDS);
    assertEquals(List.of("reset"), s.events);
    assertEquals("wasm_close_stream", s.info.responseCodeDetails());
    s.finish();
  }

  @Test
  void propertiesComeFromTheStreamTheRouteAndTheListener() throws Exception {
    Stream s = new Stream(closed);
    s.headers(Stream.request("GET", "/p", "x-case", "props", "x-props",
        "s:xds.route_name,s:xds.cluster_name,i:xds.listener_direction,i:listener_direction,s:xds.node.id,"
            + "s:plugin_name,s:source.address,s:destination.address,s:xds.virtual_host_name"), true);
    assertEquals("r1", report("prop:xds.route_name"));
    assertEquals("backend", report("prop:xds.cluster_name"), "the route's cluster before the router picks it");
    assertEquals("2", report("prop:xds.listener_direction"), "OUTBOUND");
    assertEquals("2", report("prop:listener_direction"));
    assertEquals("node-7", report("prop:xds.node.id"));
    assertEquals("closed", report("prop:plugin_name"));
    assertEquals("10.0.0.1:5555", report("prop:source.address"));
    assertEquals("10.0.0.2:8080", report("prop:destination.address"));
    assertEquals("vh1", report("prop:xds.virtual_host_name"));
    s.done.get(5, TimeUnit.SECONDS);
    s.finish();
    assertEquals("/p", report("log_path"), "proxy_on_log ran at stream completion");
    assertTrue(reports("delete").size() >= 1, "proxy_on_delete ran at destroy");
  }

  @Test
  void aTrapFailsTheStreamClosedAndTheReplyPassesTheFilter() throws Exception {
    Stream s = new Stream(trapping);
    s.headers(Stream.request("GET", "/t", "x-case", "trap"), true);
    s.done.get(5, TimeUnit.SECONDS);
    assertEquals(List.of("headers:503:end"), s.events);
    assertEquals("wasm_fail_stream", s.info.responseCodeDetails());
    s.finish();
  }

  @Test
  void failOpenSkipsTheFilterWhileItsVmIsDown() throws Exception {
    Stream trapped = new Stream(open);
    trapped.headers(Stream.request("GET", "/t", "x-case", "trap"), true);
    assertTrue(trapped.upstreamHeaders.isDone(), "fail open: the trapped stream goes on");
    trapped.done.get(5, TimeUnit.SECONDS);
    trapped.finish();
    // The VM is rebuilt after a 1 s backoff; meanwhile new streams have no Wasm filter at all.
    Stream next = new Stream(open);
    assertFalse(next.wasm instanceof WasmHttpFilter, "the filter is left out: " + next.wasm);
    next.headers(Stream.request("GET", "/n"), true);
    assertNull(next.upstreamHeaders.get(5, TimeUnit.SECONDS).get("x-wasm-response"));
    next.finish();
  }

  @Test
  void sharedConfigsShareOnePlugin() throws Exception {
    FilterFactory again = plugin("closed", false);
    try {
      assertEquals(((WasmFilterFactory.Instance) closed).plugin(), ((WasmFilterFactory.Instance) again).plugin());
    } finally {
      again.release();
    }
    assertFalse(((WasmFilterFactory.Instance) closed).plugin().closedFuture().isDone(), "still used by the first");
  }
}
