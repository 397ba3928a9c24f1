package dev.xdsdp.bench.engines;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.roastedroot.proxywasm.PluginFactory;
import io.roastedroot.proxywasm.internal.Action;
import io.roastedroot.proxywasm.internal.ArrayProxyMap;
import io.roastedroot.proxywasm.internal.HttpContext;
import io.roastedroot.proxywasm.internal.HttpRequestAdaptor;
import io.roastedroot.proxywasm.internal.Plugin;
import io.roastedroot.proxywasm.internal.PluginHttpContext;
import io.roastedroot.proxywasm.internal.ProxyMap;
import io.roastedroot.proxywasm.internal.WasmResult;
import java.util.List;

/**
 * The Java peer: proxy-wasm-java-host 0.0.5 (io.roastedroot) on Chicory 1.5.1. Its
 * {@link PluginFactory} runs Chicory's interpreter unless a machine factory is given; with
 * {@code compiled} we give it Chicory's runtime compiler ({@link MachineFactoryCompiler}, which
 * translates the whole module to JVM bytecode when the plugin is created and lets HotSpot JIT it),
 * the faster of the two. A request is driven through the library's own HTTP context
 * ({@link Plugin#createHttpContext}, as its JAX-RS and Servlet adaptors do): creating it sends
 * {@code proxy_on_context_create}; closing it sends {@code proxy_on_done}, {@code proxy_on_log}
 * and {@code proxy_on_delete}.
 */
final class ChicoryDriver implements EngineDriver {

  private final boolean compiled;
  private Plugin plugin;

  ChicoryDriver(boolean compiled) {
    this.compiled = compiled;
  }

  @Override
  public String name() {
    return compiled ? "chicory" : "chicory-interp";
  }

  @Override
  public void init() {
    // Chicory has no engine object: everything happens in load().
  }

  @Override
  public void load(byte[] wasm, String pluginConfig) {
    WasmModule module = Parser.parse(wasm);
    PluginFactory.Builder b = PluginFactory.builder(module).withName("bench").withPluginConfig(pluginConfig);
    if (compiled) {
      b.withMachineFactory(MachineFactoryCompiler.compile(module));
    }
    try {
      plugin = (Plugin) b.build().create();
    } catch (Exception e) {
      throw new IllegalStateException("proxy-wasm-java-host could not start the module: " + e, e);
    }
  }

  @Override
  public int request() {
    Adaptor a = new Adaptor(new ArrayProxyMap(), new ArrayProxyMap());
    fill(a);
    HttpContext c = plugin.createHttpContext(a).context();
    Action x = c.callOnRequestHeaders(true);
    Action y = c.callOnResponseHeaders(false);
    c.close();
    return a.request.size() + a.response.size() + x.ordinal() + y.ordinal();
  }

  @Override
  public Check checkedRequest() {
    CountingMap req = new CountingMap();
    Adaptor a = new Adaptor(req, new ArrayProxyMap());
    fill(a);
    PluginHttpContext pc = plugin.createHttpContext(a);
    HttpContext c = pc.context();
    Action x = c.callOnRequestHeaders(true);
    Action y = c.callOnResponseHeaders(false);
    c.close();
    long gets = req.gets;
    return new Check(
        "1".equals(a.request.get("x-bench-request")),
        "1".equals(a.response.get("x-bench-response")),
        gets,
        x == Action.CONTINUE && y == Action.CONTINUE && pc.getSendResponse() == null);
  }

  private static void fill(Adaptor a) {
    for (int i = 0; i < REQUEST_HEADERS.length; i += 2) {
      a.request.add(REQUEST_HEADERS[i], REQUEST_HEADERS[i + 1]);
    }
    for (int i = 0; i < RESPONSE_HEADERS.length; i += 2) {
      a.response.add(RESPONSE_HEADERS[i], RESPONSE_HEADERS[i + 1]);
    }
  }

  @Override
  public String describe() {
    return "proxy-wasm-java-host 0.0.5 on Chicory 1.5.1, "
        + (compiled ? "runtime compiler (Wasm -> JVM bytecode, HotSpot JIT)" : "interpreter");
  }

  @Override
  public void close() {
    if (plugin != null) {
      plugin.close();
    }
  }

  /** A request map that counts reads (only for the checked request). */
  static final class CountingMap extends ArrayProxyMap {
    long gets;

    @Override
    public String get(String name) {
      gets++;
      return super.get(name);
    }
  }

  /** The proxy's side of one request, as the library's adaptors present it. */
  static final class Adaptor implements HttpRequestAdaptor {
    final ProxyMap request;
    final ProxyMap response;

    Adaptor(ProxyMap request, ProxyMap response) {
      this.request = request;
      this.response = response;
    }

    @Override
    public String remoteAddress() {
      return "127.0.0.1";
    }

    @Override
    public int remotePort() {
      return 50000;
    }

    @Override
    public String localAddress() {
      return "127.0.0.1";
    }

    @Override
    public int localPort() {
      return 10000;
    }

    @Override
    public String protocol() {
      return "HTTP/1.1";
    }

    @Override
    public ProxyMap getHttpRequestHeaders() {
      return request;
    }

    @Override
    public ProxyMap getHttpRequestTrailers() {
      return null;
    }

    @Override
    public ProxyMap getHttpResponseHeaders() {
      return response;
    }

    @Override
    public ProxyMap getHttpResponseTrailers() {
      return null;
    }

    @Override
    public ProxyMap getGrpcReceiveInitialMetaData() {
      return null;
    }

    @Override
    public ProxyMap getGrpcReceiveTrailerMetaData() {
      return null;
    }

    @Override
    public byte[] getProperty(PluginHttpContext ctx, List<String> path) {
      return null;
    }

    @Override
    public WasmResult setProperty(PluginHttpContext ctx, List<String> path, byte[] value) {
      return WasmResult.UNIMPLEMENTED;
    }
  }
}
