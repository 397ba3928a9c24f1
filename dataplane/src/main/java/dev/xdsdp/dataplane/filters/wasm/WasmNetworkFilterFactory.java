package dev.xdsdp.dataplane.filters.wasm;

import com.google.protobuf.Any;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.network.NetworkFilter;
import dev.xdsdp.api.network.NetworkFilterCallbacks;
import dev.xdsdp.api.network.NetworkFilterConfigFactory;
import dev.xdsdp.api.network.NetworkFilterFactory;
import dev.xdsdp.api.network.NetworkFilterStatus;
import dev.xdsdp.wasm.WasmException;
import dev.xdsdp.wasm.module.WasmModule;
import dev.xdsdp.wasm.plugin.FailurePolicy;
import dev.xdsdp.wasm.plugin.WasmNetworkStream;
import dev.xdsdp.wasm.plugin.WasmPlugin;
import io.envoyproxy.envoy.extensions.filters.network.wasm.v3.Wasm;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Registers {@code envoy.filters.network.wasm} ({@code envoy.extensions.filters.network.wasm.v3.Wasm}):
 * a proxy-wasm module in front of {@code tcp_proxy}. Building a config loads and starts the plugin
 * with a VM on every worker loop (through the server's {@link WasmHost}, shared with identical
 * configs of any Wasm extension), as the HTTP filter does. Until a host is bound it only
 * validates ({@code --mode validate}).
 */
public final class WasmNetworkFilterFactory implements NetworkFilterConfigFactory {

  public static final String NAME = "envoy.filters.network.wasm";
  static final String TYPE_URL = "type.googleapis.com/" + Wasm.getDescriptor().getFullName();

  private volatile WasmHost host;

  void bind(WasmHost h) {
    this.host = h;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<String> configTypeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public NetworkFilterFactory createFilterFactory(Any config, FactoryContext context) throws FilterConfigException {
    Wasm proto;
    try {
      proto = config.unpack(Wasm.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new FilterConfigException("typed_config is not a valid " + Wasm.getDescriptor().getFullName() + ": "
          + e.getMessage(), e);
    }
    WasmHost h = host;
    WasmFilterConfig parsed = WasmFilterConfig.parsePlugin(
        proto.getConfig(), h == null ? WasmFilterConfig.NO_REMOTE : h.remoteCode()::fetch, System::getenv);
    if (h == null) {
      try {
        WasmModule.load(parsed.plugin().code(), parsed.plugin().limits().maxMemoryPages());
      } catch (WasmException e) {
        throw new FilterConfigException(WasmHost.message(parsed.plugin().name(), e.getMessage()), e);
      }
      return () -> new ClosesConnection();
    }
    return new Instance(h, h.acquire(parsed));
  }

  /** The per-connection side of one config: a {@link WasmNetworkFilter} over the loop's VM. */
  static final class Instance implements NetworkFilterFactory {
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
    public NetworkFilter create() {
      WasmPlugin plugin = shared.plugin;
      boolean failOpen = plugin.config().failurePolicy() == FailurePolicy.FAIL_OPEN;
      WorkerEventLoops.Loop loop = host.loops().current();
      if (loop == null) {
        return failOpen ? new NetworkFilter() {} : new ClosesConnection();
      }
      WasmNetworkFilter filter = new WasmNetworkFilter(host);
      WasmNetworkStream stream;
      try {
        stream = plugin.newNetworkStream(loop, filter);
      } catch (RuntimeException e) {
        System.getLogger("wasm").log(System.Logger.Level.WARNING,
            "no VM for a connection of plugin " + plugin.config().name() + ": " + e.getMessage());
        return failOpen ? new NetworkFilter() {} : new ClosesConnection();
      }
      if (stream.isPassThrough()) {
        // Fail open without a VM: Envoy leaves the filter out of the chain.
        stream.onDestroy();
        return new NetworkFilter() {};
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

  /** A connection that cannot reach a VM: fail-closed closes it. */
  static final class ClosesConnection implements NetworkFilter {
    private NetworkFilterCallbacks callbacks;

    @Override
    public void initialize(NetworkFilterCallbacks cb) {
      this.callbacks = cb;
    }

    @Override
    public NetworkFilterStatus onNewConnection() {
      callbacks.close(false);
      return NetworkFilterStatus.STOP_ITERATION;
    }
  }
}
