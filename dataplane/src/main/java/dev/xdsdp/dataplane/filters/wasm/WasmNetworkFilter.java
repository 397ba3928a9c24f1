package dev.xdsdp.dataplane.filters.wasm;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.network.ConnectionEvent;
import dev.xdsdp.api.network.NetworkFilter;
import dev.xdsdp.api.network.NetworkFilterCallbacks;
import dev.xdsdp.api.network.NetworkFilterStatus;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.wasm.abi.BufferType;
import dev.xdsdp.wasm.abi.PeerType;
import dev.xdsdp.wasm.abi.StreamType;
import dev.xdsdp.wasm.context.NetworkStreamHost;
import dev.xdsdp.wasm.plugin.WasmNetworkStream;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import java.util.List;

/**
 * One connection's Wasm network filter, Envoy's {@code Wasm::Context} as a network read and write
 * filter: downstream bytes go to {@code proxy_on_downstream_data}, bytes written back to
 * {@code proxy_on_upstream_data}, the connection close to
 * {@code proxy_on_downstream_connection_close}. While a callback runs (and while the module keeps
 * the bytes paused) its buffer is the module's {@code DOWNSTREAM_DATA} / {@code UPSTREAM_DATA}.
 *
 * <p>Runs on the connection's event loop only.
 */
final class WasmNetworkFilter implements NetworkFilter, NetworkStreamHost {

  private final WasmHost host;
  private WasmNetworkStream stream;
  private NetworkFilterCallbacks callbacks;
  private BodyBuffer downstreamData;
  private BodyBuffer upstreamData;

  WasmNetworkFilter(WasmHost host) {
    this.host = host;
  }

  void attach(WasmNetworkStream s) {
    this.stream = s;
  }

  // NetworkFilter

  @Override
  public void initialize(NetworkFilterCallbacks cb) {
    this.callbacks = cb;
  }

  @Override
  public NetworkFilterStatus onNewConnection() {
    return stream.onNewConnection();
  }

  @Override
  public NetworkFilterStatus onData(BodyBuffer data, boolean endStream) {
    downstreamData = data;
    NetworkFilterStatus s = stream.onDownstreamData(data.length(), endStream);
    if (s == NetworkFilterStatus.CONTINUE) {
      // Envoy drops the reference once the bytes move on; a paused module keeps seeing them.
      downstreamData = null;
    }
    return s;
  }

  @Override
  public NetworkFilterStatus onWrite(BodyBuffer data, boolean endStream) {
    upstreamData = data;
    NetworkFilterStatus s = stream.onUpstreamData(data.length(), endStream);
    if (s == NetworkFilterStatus.CONTINUE) {
      upstreamData = null;
    }
    return s;
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    stream.onDownstreamConnectionClose(event == ConnectionEvent.REMOTE_CLOSE ? PeerType.REMOTE : PeerType.LOCAL);
  }

  @Override
  public void onDestroy() {
    stream.onDestroy();
  }

  // BufferHost

  @Override
  public BodyBuffer body(BufferType type) {
    return switch (type) {
      case DOWNSTREAM_DATA -> downstreamData;
      case UPSTREAM_DATA -> upstreamData;
      default -> null;
    };
  }

  // PropertyHost

  @Override
  public StreamInfo streamInfo() {
    return callbacks.streamInfo();
  }

  /** The listener's direction and metadata; everything else comes from the stream info. */
  @Override
  public byte[] property(List<String> path) {
    boolean legacy = path.size() == 1;
    String name = path.size() == 2 && path.get(0).equals("xds") ? path.get(1) : legacy ? path.get(0) : null;
    if (name == null) {
      return null;
    }
    ListenerConfig l = host.listener(callbacks.streamInfo().listenerName());
    if (l == null) {
      return null;
    }
    return switch (name) {
      case "listener_direction" -> WasmHttpFilter.le64(WasmHttpFilter.direction(l.trafficDirection()));
      case "listener_metadata" -> !legacy && l.source() instanceof io.envoyproxy.envoy.config.listener.v3.Listener p
          ? p.getMetadata().toByteArray() : null;
      default -> null;
    };
  }

  // StreamHost

  @Override
  public void continueStream(StreamType type) {
    if (type == StreamType.DOWNSTREAM) {
      callbacks.continueReading();
    }
  }

  @Override
  public void closeStream(StreamType type) {
    callbacks.close(true);
  }
}
