package dev.xdsdp.wasm.plugin;

import dev.xdsdp.api.http.FilterDataStatus;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.FilterTrailersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.wasm.abi.MapType;
import dev.xdsdp.wasm.abi.ModuleExports;
import dev.xdsdp.wasm.context.HttpStreamHost;
import dev.xdsdp.wasm.context.StreamContext;
import dev.xdsdp.wasm.context.WasmInstance;
import dev.xdsdp.wasm.vm.WasmFault;
import dev.xdsdp.wasm.vm.WasmFunction;

/**
 * One HTTP stream's context in a plugin's VM, driven by the data plane's Wasm filter exactly as
 * Envoy's {@code Context} drives cpp-host: each method calls the module's callback and maps its
 * raw result to a filter status with cpp-host's tables. Used only on the stream's event loop.
 *
 * <p>The module hears of the stream ({@code proxy_on_context_create}) at its first callback.
 * {@link #onDestroy()} ends it ({@code proxy_on_done}, then {@code proxy_on_delete}) and must be
 * called exactly once, last.
 *
 * <p>When the VM has failed (before or during this stream), the plugin's failure policy applies:
 * fail-open callbacks return continue; fail-closed (and fail-reload) send the 503
 * {@code wasm_fail_stream} reply once through {@link HttpStreamHost#sendLocalResponse} and stop.
 */
public final class WasmHttpStream {

  /** Envoy's failStream reply: 503, gRPC UNAVAILABLE, details {@code wasm_fail_stream}. */
  static final LocalReply FAIL_STREAM_REPLY = new LocalReply(503, "", java.util.List.of(), "wasm_fail_stream", 14);

  private final PluginReplica replica;
  private final WasmInstance instance;
  private final StreamContext context;
  private final HttpStreamHost host;
  private final PluginConfig config;
  private boolean created;
  private boolean failureHandled;
  private boolean destroyed;

  WasmHttpStream(PluginReplica replica, WasmInstance instance, dev.xdsdp.wasm.context.RootContext root,
      HttpStreamHost host) {
    this.replica = replica;
    this.instance = instance;
    this.host = host;
    this.config = replica.plugin().config();
    this.context = instance == null ? null : instance.newStreamContext(root, host);
  }

  /** The context id the module sees, or 0 when the stream has no VM. */
  public int contextId() {
    return context == null ? 0 : context.id();
  }

  /**
   * True when the stream has no VM and the policy is fail-open: the data plane may leave the filter
   * out of the chain entirely, as Envoy does.
   */
  public boolean isPassThrough() {
    return instance == null && config.failurePolicy() == FailurePolicy.FAIL_OPEN;
  }

  /** Why the stream's VM is unusable, or null while it is healthy. */
  public WasmFault fault() {
    if (instance == null) {
      return new WasmFault(WasmFault.Kind.CLOSED, "no healthy VM for plugin " + config.name());
    }
    return instance.fault();
  }

  /** True once the VM failed for this stream (the failure policy is in effect). */
  public boolean failed() {
    return instance == null || !instance.usable();
  }

  private boolean failOpen() {
    return config.failurePolicy() == FailurePolicy.FAIL_OPEN;
  }

  /** Applies the failure policy once; returns true when the stream should continue (fail-open). */
  private boolean handleFailure() {
    if (!failureHandled) {
      failureHandled = true;
      if (failOpen()) {
        replica.plugin().stats().failOpen.inc();
      } else {
        replica.plugin().stats().failClosed.inc();
        host.sendLocalResponse(FAIL_STREAM_REPLY);
      }
    }
    return failOpen();
  }

  private ModuleExports exports() {
    return instance.exports();
  }

  /** Sends {@code proxy_on_context_create} the first time; false when the VM is unusable. */
  private boolean ensureCreated() {
    if (failed() || destroyed) {
      return false;
    }
    if (!created) {
      created = true;
      WasmFunction fn = exports().onContextCreate;
      if (fn != null) {
        try {
          instance.call(context, fn, context.id(), context.root().id());
        } catch (WasmFault f) {
          return false;
        }
      }
    }
    return true;
  }

  private int count(MapType type) {
    HeaderMap m = host.headerMap(type, false);
    return m == null ? 0 : m.size();
  }

  private long callHeaders(WasmFunction fn, MapType type, boolean endOfStream) {
    int n = count(type);
    if (instance.version().atLeast02()) {
      return instance.call(context, fn, context.id(), n, endOfStream ? 1 : 0);
    }
    return instance.call(context, fn, context.id(), n);
  }

  // Decoding (request).

  public FilterHeadersStatus onRequestHeaders(boolean endOfStream) {
    return headers(ensureCreated() ? exports().onRequestHeaders : null, MapType.HTTP_REQUEST_HEADERS, endOfStream);
  }

  public FilterDataStatus onRequestBody(int bodySize, boolean endOfStream) {
    return body(ensureCreated() ? exports().onRequestBody : null, bodySize, endOfStream);
  }

  public FilterTrailersStatus onRequestTrailers() {
    return trailers(ensureCreated() ? exports().onRequestTrailers : null, MapType.HTTP_REQUEST_TRAILERS);
  }

  // Encoding (response).

  public FilterHeadersStatus onResponseHeaders(boolean endOfStream) {
    return headers(ensureCreated() ? exports().onResponseHeaders : null, MapType.HTTP_RESPONSE_HEADERS, endOfStream);
  }

  public FilterDataStatus onResponseBody(int bodySize, boolean endOfStream) {
    return body(ensureCreated() ? exports().onResponseBody : null, bodySize, endOfStream);
  }

  public FilterTrailersStatus onResponseTrailers() {
    return trailers(ensureCreated() ? exports().onResponseTrailers : null, MapType.HTTP_RESPONSE_TRAILERS);
  }

  private FilterHeadersStatus headers(WasmFunction fn, MapType type, boolean endOfStream) {
    if (failed()) {
      return handleFailure() ? FilterHeadersStatus.CONTINUE : FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
    }
    if (fn == null) {
      return FilterHeadersStatus.CONTINUE;
    }
    boolean replyBefore = context.localReplySent();
    long raw;
    try {
      raw = callHeaders(fn, type, endOfStream);
    } catch (WasmFault f) {
      return handleFailure() ? FilterHeadersStatus.CONTINUE : FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
    }
    return mapHeaders(raw, replyBefore);
  }

  private FilterDataStatus body(WasmFunction fn, int size, boolean endOfStream) {
    if (failed()) {
      return handleFailure() ? FilterDataStatus.CONTINUE : FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    if (fn == null) {
      return FilterDataStatus.CONTINUE;
    }
    boolean replyBefore = context.localReplySent();
    long raw;
    try {
      raw = instance.call(context, fn, context.id(), size, endOfStream ? 1 : 0);
    } catch (WasmFault f) {
      return handleFailure() ? FilterDataStatus.CONTINUE : FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    return mapBody(raw, replyBefore);
  }

  private FilterTrailersStatus trailers(WasmFunction fn, MapType type) {
    if (failed()) {
      return handleFailure() ? FilterTrailersStatus.CONTINUE : FilterTrailersStatus.STOP_ITERATION;
    }
    if (fn == null) {
      return FilterTrailersStatus.CONTINUE;
    }
    boolean replyBefore = context.localReplySent();
    long raw;
    try {
      raw = instance.call(context, fn, context.id(), count(type));
    } catch (WasmFault f) {
      return handleFailure() ? FilterTrailersStatus.CONTINUE : FilterTrailersStatus.STOP_ITERATION;
    }
    return mapTrailers(raw, replyBefore);
  }

  /**
   * cpp-host's {@code convertVmCallResultToFilterHeadersStatus}: 0 Continue; 1 StopIteration,
   * which becomes StopAllIterationAndWatermark unless {@code allow_on_headers_stop_iteration}; 2
   * ContinueAndEndStream falls back to Continue; 3 StopAllIterationAndBuffer; 4 and anything
   * larger StopAllIterationAndWatermark (the body that arrives meanwhile is held, and past the
   * buffer limit the client is paused, not failed with 413). A
   * local reply sent during this callback forces stop whatever the module returned (cpp-host's
   * one-shot {@code stopNextIteration}); the local reply itself then passes through this stream's
   * response callbacks normally.
   *
   * @param replyBefore whether a local reply had been sent before this callback ran
   */
  FilterHeadersStatus mapHeaders(long raw, boolean replyBefore) {
    long r = raw & 0xFFFFFFFFL;
    if (context.localReplySent() && !replyBefore) {
      return FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
    }
    if (r == 0 || r == 2) {
      return FilterHeadersStatus.CONTINUE;
    }
    if (r == 1 && config.allowOnHeadersStopIteration()) {
      return FilterHeadersStatus.STOP_ITERATION;
    }
    if (r == 3) {
      return FilterHeadersStatus.STOP_ALL_ITERATION_AND_BUFFER;
    }
    return FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
  }

  /** 0 Continue; 1 StopIterationAndBuffer (Rust/Go "Pause"); 2 AndWatermark; 3+ NoBuffer. */
  FilterDataStatus mapBody(long raw, boolean replyBefore) {
    long r = raw & 0xFFFFFFFFL;
    if (context.localReplySent() && !replyBefore) {
      return FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    if (r == 0) {
      return FilterDataStatus.CONTINUE;
    }
    if (r == 1) {
      return FilterDataStatus.STOP_ITERATION_AND_BUFFER;
    }
    if (r == 2) {
      return FilterDataStatus.STOP_ITERATION_AND_WATERMARK;
    }
    return FilterDataStatus.STOP_ITERATION_NO_BUFFER;
  }

  /** 0 Continue; anything else StopIteration. */
  FilterTrailersStatus mapTrailers(long raw, boolean replyBefore) {
    if ((context.localReplySent() && !replyBefore) || raw != 0) {
      return FilterTrailersStatus.STOP_ITERATION;
    }
    return FilterTrailersStatus.CONTINUE;
  }

  /**
   * The access-log phase ({@code proxy_on_log}): maps stay readable, writes are refused. Sends
   * {@code proxy_on_context_create} first if the stream never had a callback (Envoy does too).
   */
  public void onLog() {
    if (!ensureCreated()) {
      return;
    }
    context.enterAccessLogPhase();
    WasmFunction fn = exports().onLog;
    if (fn != null) {
      try {
        instance.call(context, fn, context.id());
      } catch (WasmFault f) {
        // the failure is recorded; nothing left to do for this stream
      }
    }
  }

  /** Ends the stream: {@code proxy_on_done} then {@code proxy_on_delete} (Envoy's onDestroy). */
  public void onDestroy() {
    if (destroyed) {
      return;
    }
    destroyed = true;
    if (instance == null) {
      return;
    }
    try {
      if (created && instance.usable()) {
        ModuleExports e = exports();
        if (e.onDone != null) {
          instance.call(context, e.onDone, context.id());
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
}
