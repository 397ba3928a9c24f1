package dev.xdsdp.dataplane.filters.wasm;

import dev.xdsdp.api.accesslog.AccessLogger;
import dev.xdsdp.api.accesslog.AccessLoggerFactory;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.accesslog.AccessLogConfigException;
import dev.xdsdp.dataplane.accesslog.LogFilter;
import dev.xdsdp.dataplane.accesslog.LogFilters;
import dev.xdsdp.dataplane.formatter.FormatterContext;
import dev.xdsdp.wasm.WasmException;
import dev.xdsdp.wasm.context.AccessLogEntry;
import dev.xdsdp.wasm.module.WasmModule;
import dev.xdsdp.wasm.plugin.WasmPlugin;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.extensions.access_loggers.wasm.v3.WasmAccessLog;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Registers {@code envoy.access_loggers.wasm} ({@code envoy.extensions.access_loggers.wasm.v3.WasmAccessLog}):
 * each finished HTTP stream or TCP connection that passes the log's {@code filter} is handed to the
 * plugin's root context on the stream's event loop ({@code proxy_on_log}), with its headers and
 * properties readable, as Envoy's {@code WasmAccessLog} does. The plugin is built like the other
 * Wasm extensions (VMs on every worker loop, shared with identical configs); without a bound
 * {@link WasmHost} the factory only validates.
 */
public final class WasmAccessLoggerFactory implements AccessLoggerFactory {

  public static final String NAME = "envoy.access_loggers.wasm";
  static final String TYPE_URL = "type.googleapis.com/" + WasmAccessLog.getDescriptor().getFullName();

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
  public AccessLogger create(AccessLog config, FactoryContext context) throws FilterConfigException {
    WasmAccessLog proto;
    try {
      proto = config.getTypedConfig().unpack(WasmAccessLog.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new FilterConfigException("typed_config is not a valid " + WasmAccessLog.getDescriptor().getFullName()
          + ": " + e.getMessage(), e);
    }
    LogFilter filter;
    try {
      filter = config.hasFilter() ? LogFilters.fromProto(config.getFilter(), "filter") : null;
    } catch (AccessLogConfigException e) {
      throw new FilterConfigException(e.getMessage(), e);
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
      return (req, resp, trailers, info) -> {};
    }
    return new Logger(h, h.acquire(parsed), filter);
  }

  /** One configured Wasm access log: filter, then the loop's VM. */
  static final class Logger implements AccessLogger {
    private final WasmHost host;
    private final WasmHost.SharedPlugin shared;
    private final LogFilter filter;
    private final AtomicBoolean released = new AtomicBoolean();

    Logger(WasmHost host, WasmHost.SharedPlugin shared, LogFilter filter) {
      this.host = host;
      this.shared = shared;
      this.filter = filter;
    }

    WasmPlugin plugin() {
      return shared.plugin;
    }

    @Override
    public void log(HeaderMap requestHeaders, HeaderMap responseHeaders, HeaderMap responseTrailers, StreamInfo info) {
      WorkerEventLoops.Loop loop = host.loops().current();
      if (loop == null || released.get()) {
        return; // only worker loops have VMs; nothing logs from elsewhere
      }
      if (filter != null && !filter.evaluate(new FormatterContext(requestHeaders, responseHeaders, responseTrailers,
          info, "", info.protocol() == null ? AccessLogType.TcpConnectionEnd : AccessLogType.DownstreamEnd))) {
        return;
      }
      try {
        shared.plugin.replica(loop).log(new AccessLogEntry(requestHeaders, responseHeaders, responseTrailers, info,
            new ListenerProperties(host, info)));
      } catch (RuntimeException e) {
        System.getLogger("wasm").log(System.Logger.Level.WARNING,
            "wasm access log " + shared.plugin.config().name() + " failed: " + e.getMessage());
      }
    }

    @Override
    public void release() {
      if (released.compareAndSet(false, true)) {
        shared.release();
      }
    }
  }

  /** The listener facts only the data plane knows ({@code xds.listener_direction}, {@code xds.listener_metadata}). */
  record ListenerProperties(WasmHost host, StreamInfo info) implements dev.xdsdp.wasm.context.PropertyHost {
    @Override
    public byte[] property(java.util.List<String> path) {
      boolean legacy = path.size() == 1;
      String name = path.size() == 2 && path.get(0).equals("xds") ? path.get(1) : legacy ? path.get(0) : null;
      var l = name == null ? null : host.listener(info.listenerName());
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
  }
}
