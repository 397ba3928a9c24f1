package dev.xdsdp.wasm.testing;

import dev.xdsdp.api.http.FilterDataStatus;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.FilterTrailersStatus;
import dev.xdsdp.wasm.WasmRuntime;
import dev.xdsdp.wasm.context.PropertyHost;
import dev.xdsdp.wasm.plugin.PluginConfig;
import dev.xdsdp.wasm.plugin.PluginEnvironment;
import dev.xdsdp.wasm.plugin.PluginReplica;
import dev.xdsdp.wasm.plugin.WasmHttpStream;
import dev.xdsdp.wasm.plugin.WasmPlugin;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Drives one plugin the way the data plane will: a runtime shared by every test in the JVM (so
 * compiled modules and JIT warm-up are shared), one test event loop, a recording log and fake
 * clusters. Streams are driven through {@link TestStream}, whose calls run on the loop.
 */
public final class PluginHarness implements AutoCloseable {

  private static final TestStats STATS = new TestStats();
  private static volatile WasmRuntime runtime;
  private static final AtomicInteger NAMES = new AtomicInteger();

  /** The JVM-wide runtime the tests share. */
  public static WasmRuntime runtime() {
    WasmRuntime r = runtime;
    if (r == null) {
      synchronized (PluginHarness.class) {
        r = runtime;
        if (r == null) {
          r = new WasmRuntime(WasmRuntime.Options.defaults(STATS).withNode(TestNodes.NODE));
          runtime = r;
        }
      }
    }
    return r;
  }

  public static TestStats stats() {
    runtime();
    return STATS;
  }

  /** A unique plugin name, so tests sharing the runtime do not share stats. */
  public static String uniqueName(String base) {
    return base + "_" + NAMES.incrementAndGet();
  }

  public final WasmPlugin plugin;
  public final TestLoop loop;
  public final RecordingLog log;
  public final FakeCallouts callouts;
  private PluginReplica replica;
  private final java.util.List<TestStream> streams = new java.util.concurrent.CopyOnWriteArrayList<>();

  private PluginHarness(WasmPlugin plugin, TestLoop loop, RecordingLog log, FakeCallouts callouts) {
    this.plugin = plugin;
    this.loop = loop;
    this.log = log;
    this.callouts = callouts;
  }

  /** Creates the plugin of {@code module} with the builder's settings applied. */
  public static PluginHarness create(String module, Consumer<PluginConfig.Builder> config) {
    return create(module, config, null);
  }

  public static PluginHarness create(String module, Consumer<PluginConfig.Builder> config, PropertyHost rootProps) {
    PluginConfig.Builder b = PluginConfig.builder(uniqueName(module), TestModules.bytes(module)).vmId("vm_" + module);
    config.accept(b);
    RecordingLog log = new RecordingLog();
    FakeCallouts callouts = new FakeCallouts("backend", "auth");
    PluginEnvironment env = new PluginEnvironment(callouts, rootProps, log, null);
    WasmPlugin plugin = runtime().createPlugin(b.build(), env);
    return new PluginHarness(plugin, new TestLoop(plugin.config().name()), log, callouts);
  }

  /** The loop's replica, prepared (built off the loop) on first use. */
  public PluginReplica replica() {
    if (replica == null) {
      try {
        replica = plugin.prepare(loop).get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }
    return replica;
  }

  public TestStream stream(TestStreamHost host) {
    PluginReplica r = replica();
    TestStream s = new TestStream(loop.call(() -> r.newHttpStream(host)), host, loop);
    streams.add(s);
    return s;
  }

  /** Destroys the streams a test left open (a plugin drains them before it closes), then closes. */
  @Override
  public void close() {
    for (TestStream s : streams) {
      s.destroy();
    }
    plugin.close();
    try {
      plugin.closedFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new RuntimeException(e);
    } finally {
      loop.close();
    }
  }

  /** A stream whose every callback runs on the harness loop. */
  public static final class TestStream {
    public final WasmHttpStream stream;
    public final TestStreamHost host;
    private final TestLoop loop;

    TestStream(WasmHttpStream stream, TestStreamHost host, TestLoop loop) {
      this.stream = stream;
      this.host = host;
      this.loop = loop;
    }

    public FilterHeadersStatus requestHeaders(boolean endOfStream) {
      return loop.call(() -> stream.onRequestHeaders(endOfStream));
    }

    public FilterDataStatus requestBody(boolean endOfStream) {
      return loop.call(() -> stream.onRequestBody(host.requestBody == null ? 0 : host.requestBody.length(), endOfStream));
    }

    public FilterTrailersStatus requestTrailers() {
      return loop.call(stream::onRequestTrailers);
    }

    public FilterHeadersStatus responseHeaders(boolean endOfStream) {
      return loop.call(() -> stream.onResponseHeaders(endOfStream));
    }

    public FilterDataStatus responseBody(boolean endOfStream) {
      return loop.call(() -> stream.onResponseBody(host.responseBody == null ? 0 : host.responseBody.length(), endOfStream));
    }

    public FilterTrailersStatus responseTrailers() {
      return loop.call(stream::onResponseTrailers);
    }

    public void log() {
      loop.run(stream::onLog);
    }

    /** Ends the stream (idempotent). */
    public void destroy() {
      loop.run(stream::onDestroy);
    }
  }
}
