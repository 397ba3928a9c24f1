package dev.xdsdp.bench.engines;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.wasm.EventLoop;
import dev.xdsdp.wasm.WasmRuntime;
import dev.xdsdp.wasm.abi.BufferType;
import dev.xdsdp.wasm.abi.MapType;
import dev.xdsdp.wasm.abi.StreamType;
import dev.xdsdp.wasm.context.HttpStreamHost;
import dev.xdsdp.wasm.plugin.PluginConfig;
import dev.xdsdp.wasm.plugin.PluginEnvironment;
import dev.xdsdp.wasm.plugin.PluginReplica;
import dev.xdsdp.wasm.plugin.WasmHttpStream;
import dev.xdsdp.wasm.plugin.WasmPlugin;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * GraalWasm through this repository's proxy-wasm host ({@code wasm-runtime}), exactly the code
 * path of the data plane's Wasm HTTP filter: {@link WasmRuntime#createPlugin} (parse, ABI
 * detection, validation, compile, canary start), the plugin's replica on an event loop, and a
 * {@link WasmHttpStream} per request. The runtime is made with {@code requireJit}, so it refuses to
 * run when GraalWasm would be interpreted (JVM started without JVMCI and the Graal compiler).
 */
final class GraalDriver implements EngineDriver {

  private final StatsStore stats = new StatsStore();
  private final DirectLoop loop = new DirectLoop();
  private WasmRuntime runtime;
  private WasmPlugin plugin;
  private PluginReplica replica;

  @Override
  public String name() {
    return "graalwasm";
  }

  @Override
  public void init() {
    runtime = new WasmRuntime(WasmRuntime.Options.defaults(stats).withRequireJit(true));
  }

  @Override
  public void load(byte[] wasm, String pluginConfig) {
    PluginConfig config =
        PluginConfig.builder("bench", wasm).vmId("bench").pluginConfiguration(pluginConfig).build();
    plugin = runtime.createPlugin(config, PluginEnvironment.DEFAULT);
    // On the calling thread, which plays the event loop: the canary VM becomes this loop's VM.
    replica = plugin.replica(loop);
    loop.runPending();
    if (!replica.healthy()) {
      throw new IllegalStateException("the plugin's VM did not start on the benchmark loop");
    }
  }

  @Override
  public int request() {
    Host h = new Host();
    WasmHttpStream s = replica.newHttpStream(h);
    FilterHeadersStatus a = s.onRequestHeaders(true);
    FilterHeadersStatus b = s.onResponseHeaders(false);
    s.onLog();
    s.onDestroy();
    loop.runPending();
    return h.request.size() + h.response.size() + a.ordinal() + b.ordinal();
  }

  @Override
  public Check checkedRequest() {
    var gets = plugin.stats().hostCall("proxy_get_header_map_value").calls();
    long before = gets.value();
    Host h = new Host();
    WasmHttpStream s = replica.newHttpStream(h);
    FilterHeadersStatus a = s.onRequestHeaders(true);
    FilterHeadersStatus b = s.onResponseHeaders(false);
    s.onLog();
    s.onDestroy();
    loop.runPending();
    return new Check(
        "1".equals(h.request.get("x-bench-request")),
        "1".equals(h.response.get("x-bench-response")),
        gets.value() - before,
        a == FilterHeadersStatus.CONTINUE && b == FilterHeadersStatus.CONTINUE && h.localReplies == 0);
  }

  @Override
  public String describe() {
    return "GraalWasm via xdsdp wasm-runtime, Truffle runtime '" + runtime.engine().implementationName()
        + "', JIT " + (runtime.jitEnabled() ? "on" : "OFF");
  }

  @Override
  public void close() {
    if (plugin != null) {
      plugin.close();
      loop.runPending();
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  /**
   * The benchmark thread as the plugin's event loop: tasks the runtime posts run when the thread
   * calls {@link #runPending} (after every request). Timers never fire: the benchmark filter sets
   * none, and a VM rebuild (the only other use) would mean the benchmark already failed.
   */
  static final class DirectLoop implements EventLoop {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Override
    public String id() {
      return "bench-loop";
    }

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
      return () -> {};
    }

    void runPending() {
      for (int i = 0; i < 10_000 && !tasks.isEmpty(); i++) {
        Runnable t = tasks.poll();
        if (t != null) {
          t.run();
        }
      }
    }
  }

  /** One request's stream: new header maps, no body. */
  static final class Host implements HttpStreamHost {
    final HeaderMap request = HeaderMap.create();
    final HeaderMap response = HeaderMap.create();
    int localReplies;

    Host() {
      for (int i = 0; i < REQUEST_HEADERS.length; i += 2) {
        request.add(REQUEST_HEADERS[i], REQUEST_HEADERS[i + 1]);
      }
      for (int i = 0; i < RESPONSE_HEADERS.length; i += 2) {
        response.add(RESPONSE_HEADERS[i], RESPONSE_HEADERS[i + 1]);
      }
    }

    @Override
    public HeaderMap headerMap(MapType type, boolean forWrite) {
      return switch (type) {
        case HTTP_REQUEST_HEADERS -> request;
        case HTTP_RESPONSE_HEADERS -> response;
        default -> null;
      };
    }

    @Override
    public BodyBuffer body(BufferType type) {
      return null;
    }

    @Override
    public void continueStream(StreamType type) {}

    @Override
    public void closeStream(StreamType type) {}

    @Override
    public void sendLocalResponse(LocalReply reply) {
      localReplies++;
    }

    @Override
    public void clearRouteCache() {}
  }
}
