package dev.xdsdp.dataplane.filters.wasm;

import dev.xdsdp.api.filter.AbstractFilterFactory;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.api.http.DecoderFilterCallbacks;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.HttpFilter;
import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.wasm.WasmException;
import dev.xdsdp.wasm.module.WasmModule;
import dev.xdsdp.wasm.plugin.FailurePolicy;
import dev.xdsdp.wasm.plugin.WasmHttpStream;
import dev.xdsdp.wasm.plugin.WasmPlugin;
import io.envoyproxy.envoy.extensions.filters.http.wasm.v3.Wasm;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Registers {@code envoy.filters.http.wasm}. Building a config loads the module, compiles it (once
 * per vm_id and code), runs the canary start ({@code on_vm_start}, {@code on_configure}) and starts
 * a VM on every worker loop before it returns, so no request ever waits for a VM. A module that
 * does not load or start is a {@link FilterConfigException}: a NACK from xDS, a startup error from
 * the bootstrap. {@link FilterFactory#release()} closes the plugin; its VMs drain.
 *
 * <p>Until a {@link WasmHost} is bound (the server binds it at start) the factory only validates:
 * it reads the code and checks the module, which is what {@code --mode validate} needs.
 */
public final class WasmFilterFactory extends AbstractFilterFactory<Wasm> {

  public static final String NAME = "envoy.filters.http.wasm";

  private volatile WasmHost host;

  public WasmFilterFactory() {
    super(NAME, Wasm.class, Wasm.getDefaultInstance());
  }

  void bind(WasmHost h) {
    this.host = h;
  }

  /** The bound host, or null. */
  public WasmHost host() {
    return host;
  }

  @Override
  protected FilterFactory createFilterFactory(Wasm proto, FactoryContext context) throws FilterConfigException {
    WasmHost h = host;
    WasmFilterConfig config = WasmFilterConfig.parse(
        proto, h == null ? WasmFilterConfig.NO_REMOTE : h.remoteCode()::fetch, System::getenv);
    if (h == null) {
      try {
        WasmModule.load(config.plugin().code(), config.plugin().limits().maxMemoryPages());
      } catch (WasmException e) {
        throw new FilterConfigException(WasmHost.message(config.plugin().name(), e.getMessage()), e);
      }
      return () -> new Unavailable(config.plugin().name());
    }
    WasmHost.SharedPlugin shared = h.acquire(config);
    return new Instance(h, shared);
  }

  /** The per-stream side of one config: makes a {@link WasmHttpFilter} over the loop's VM. */
  static final class Instance implements FilterFactory {
    private final WasmHost host;
    private final WasmHost.SharedPlugin shared;
    private final AtomicBoolean released = new AtomicBoolean();

    Instance(WasmHost host, WasmHost.SharedPlugin shared) {
      this.host = host;
      this.shared = shared;
    }

    WasmPlugin plugin() {
      return shared.plugin;
    }

    @Override
    public HttpFilter create() {
      WasmPlugin plugin = shared.plugin;
      WorkerEventLoops.Loop loop = host.loops().current();
      if (loop == null) {
        // Streams run on worker loops only; anything else gets the failure policy, never a VM
        // started on a request path.
        return plugin.config().failurePolicy() == FailurePolicy.FAIL_OPEN
            ? new HttpFilter() {}
            : new Unavailable(plugin.config().name());
      }
      WasmHttpFilter filter = new WasmHttpFilter(host);
      WasmHttpStream stream;
      try {
        stream = plugin.newHttpStream(loop, filter);
      } catch (RuntimeException e) {
        // The plugin was closed between the config lookup and now (a stream racing a release).
        System.getLogger("wasm").log(System.Logger.Level.WARNING,
            "no VM for a stream of plugin " + plugin.config().name() + ": " + e.getMessage());
        return plugin.config().failurePolicy() == FailurePolicy.FAIL_OPEN
            ? new HttpFilter() {}
            : new Unavailable(plugin.config().name());
      }
      if (stream.isPassThrough()) {
        // Fail open without a VM: Envoy leaves the filter out of the chain.
        stream.onDestroy();
        return new HttpFilter() {};
      }
      filter.attach(stream);
      return filter;
    }

    @Override
    public void release() {
      if (released.compareAndSet(false, true)) {
        shared.release();
      }
    }
  }

  /** A stream that cannot reach a VM: Envoy's fail-closed reply. */
  static final class Unavailable implements HttpFilter {
    private final String plugin;
    private DecoderFilterCallbacks decoder;

    Unavailable(String plugin) {
      this.plugin = plugin;
    }

    @Override
    public void setDecoderFilterCallbacks(DecoderFilterCallbacks callbacks) {
      decoder = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
      decoder.sendLocalReply(new LocalReply(503, "", java.util.List.of(), "wasm_fail_stream", 14));
      return FilterHeadersStatus.STOP_ALL_ITERATION_AND_BUFFER;
    }

    @Override
    public String toString() {
      return "Unavailable[" + plugin + "]";
    }
  }
}
