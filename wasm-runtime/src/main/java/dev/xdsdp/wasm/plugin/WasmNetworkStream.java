package dev.xdsdp.wasm.plugin;

import dev.xdsdp.api.network.NetworkFilterStatus;
import dev.xdsdp.wasm.abi.ModuleExports;
import dev.xdsdp.wasm.abi.PeerType;
import dev.xdsdp.wasm.abi.StreamType;
import dev.xdsdp.wasm.context.NetworkStreamHost;
import dev.xdsdp.wasm.context.StreamContext;
import dev.xdsdp.wasm.context.WasmInstance;
import dev.xdsdp.wasm.vm.WasmFault;
import dev.xdsdp.wasm.vm.WasmFunction;

/**
 * One TCP connection's context in a plugin's VM, driven by the data plane's Wasm network filter as
 * Envoy's {@code Context} drives cpp-host: {@code proxy_on_new_connection},
 * {@code proxy_on_downstream_data} / {@code proxy_on_upstream_data} (the module reads and changes
 * the {@code DOWNSTREAM_DATA} / {@code UPSTREAM_DATA} buffers meanwhile), and the close callbacks.
 * A raw result of 0 continues, anything else stops (cpp-host's {@code FilterStatus}). Used only on
 * the connection's event loop.
 *
 * <p>As in cpp-host, upstream data with end of stream also reports the upstream close (peer
 * unknown), and once both directions are closed the context ends: {@code proxy_on_done},
 * {@code proxy_on_log}, {@code proxy_on_delete}. {@link #onDestroy()} ends it the same way if the
 * connection went away before both closes were seen (Envoy leaves such contexts to the module).
 *
 * <p>When the VM has failed, the plugin's failure policy applies: fail-open continues, fail-closed
 * (and fail-reload) closes the connection and stops.
 */
public final class WasmNetworkStream {

  private final PluginReplica replica;
  private final WasmInstance instance;
  private final StreamContext context;
  private final NetworkStreamHost host;
  private final PluginConfig config;
  private boolean created;
  private boolean failureHandled;
  private boolean downstreamClosed;
  private boolean upstreamClosed;
  private boolean finished;

  WasmNetworkStream(PluginReplica replica, WasmInstance instance, dev.xdsdp.wasm.context.RootContext root,
      NetworkStreamHost host) {
    this.replica = replica;
    this.instance = instance;
    this.host = host;
    this.config = replica.plugin().config();
    this.context = instance == null ? null : instance.newStreamContext(root, host);
  }

  /** The context id the module sees, or 0 when the connection has no VM. */
  public int contextId() {
    return context == null ? 0 : context.id();
  }

  /** True when there is no VM and the policy is fail-open: the filter can be left out. */
  public boolean isPassThrough() {
    return instance == null && config.failurePolicy() == FailurePolicy.FAIL_OPEN;
  }

  private boolean failed() {
    return instance == null || !instance.usable();
  }

  /** Applies the failure policy once; the status the callback returns. */
  private NetworkFilterStatus fail() {
    boolean open = config.failurePolicy() == FailurePolicy.FAIL_OPEN;
    if (!failureHandled) {
      failureHandled = true;
      if (open) {
        replica.plugin().stats().failOpen.inc();
      } else {
        replica.plugin().stats().failClosed.inc();
        host.closeStream(StreamType.DOWNSTREAM);
      }
    }
    return open ? NetworkFilterStatus.CONTINUE : NetworkFilterStatus.STOP_ITERATION;
  }

  private ModuleExports exports() {
    return instance.exports();
  }

  /** {@code proxy_on_context_create}, then {@code proxy_on_new_connection}. */
  public NetworkFilterStatus onNewConnection() {
    if (failed()) {
      return fail();
    }
    created = true;
    try {
      WasmFunction create = exports().onContextCreate;
      if (create != null) {
        instance.call(context, create, context.id(), context.root().id());
      }
      WasmFunction fn = exports().onNewConnection;
      return fn == null ? NetworkFilterStatus.CONTINUE : status(instance.call(context, fn, context.id()));
    } catch (WasmFault f) {
      return fail();
    }
  }

  /** {@code proxy_on_downstream_data}: {@code size} bytes are in the host's DOWNSTREAM_DATA buffer. */
  public NetworkFilterStatus onDownstreamData(int size, boolean endOfStream) {
    return data(exports0() == null ? null : exports0().onDownstreamData, size, endOfStream);
  }

  /**
   * {@code proxy_on_upstream_data}: {@code size} bytes are in the host's UPSTREAM_DATA buffer. End
   * of stream also reports the upstream close, as Envoy does.
   */
  public NetworkFilterStatus onUpstreamData(int size, boolean endOfStream) {
    NetworkFilterStatus s = data(exports0() == null ? null : exports0().onUpstreamData, size, endOfStream);
    if (endOfStream) {
      onUpstreamConnectionClose(PeerType.UNKNOWN);
    }
    return s;
  }

  private ModuleExports exports0() {
    return instance == null ? null : instance.exports();
  }

  private NetworkFilterStatus data(WasmFunction fn, int size, boolean endOfStream) {
    if (!created || finished) {
      return NetworkFilterStatus.CONTINUE;
    }
    if (failed()) {
      return fail();
    }
    if (fn == null) {
      return NetworkFilterStatus.CONTINUE;
    }
    try {
      return status(instance.call(context, fn, context.id(), size, endOfStream ? 1 : 0));
    } catch (WasmFault f) {
      return fail();
    }
  }

  private static NetworkFilterStatus status(long raw) {
    return (raw & 0xFFFFFFFFL) == 0 ? NetworkFilterStatus.CONTINUE : NetworkFilterStatus.STOP_ITERATION;
  }

  /** {@code proxy_on_downstream_connection_close}; the context ends if the upstream closed too. */
  public void onDownstreamConnectionClose(PeerType peer) {
    if (!created || finished || downstreamClosed) {
      return;
    }
    downstreamClosed = true;
    closeCallback(exports0() == null ? null : exports0().onDownstreamConnectionClose, peer);
    if (upstreamClosed || failed()) {
      finish();
    }
  }

  /** {@code proxy_on_upstream_connection_close}; the context ends if the downstream closed too. */
  public void onUpstreamConnectionClose(PeerType peer) {
    if (!created || finished || upstreamClosed) {
      return;
    }
    upstreamClosed = true;
    closeCallback(exports0() == null ? null : exports0().onUpstreamConnectionClose, peer);
    if (downstreamClosed) {
      finish();
    }
  }

  private void closeCallback(WasmFunction fn, PeerType peer) {
    if (fn == null || failed()) {
      return;
    }
    try {
      instance.call(context, fn, context.id(), peer.code());
    } catch (WasmFault f) {
      // recorded by the instance; the policy already applied or the connection is closing
    }
  }

  /** cpp-host's {@code onCloseTCP}: {@code proxy_on_done}, {@code proxy_on_log}, {@code proxy_on_delete}. */
  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    if (instance == null) {
      return;
    }
    try {
      if (created && instance.usable()) {
        ModuleExports e = exports();
        if (e.onDone != null) {
          instance.call(context, e.onDone, context.id());
        }
        if (e.onLog != null && instance.usable()) {
          context.enterAccessLogPhase();
          instance.call(context, e.onLog, context.id());
        }
        if (e.onDelete != null && instance.usable()) {
          instance.call(context, e.onDelete, context.id());
        }
      }
    } catch (WasmFault f) {
      // recorded by the instance
    } finally {
      instance.removeContext(context);
      replica.streamFinished(context.root());
    }
  }

  /** The connection is gone: ends the context if the closes did not. Exactly once, last. */
  public void onDestroy() {
    if (!finished) {
      finish();
    }
  }
}
