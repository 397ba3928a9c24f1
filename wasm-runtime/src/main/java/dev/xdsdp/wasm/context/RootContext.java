package dev.xdsdp.wasm.context;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.wasm.EventLoop;
import java.util.HashMap;
import java.util.Map;

/**
 * The root context of a plugin in one VM instance. A VM may host the root contexts of several
 * plugins (those whose vm_id, code and VM configuration are the same, as in Envoy), each with its
 * own plugin configuration. A root owns what outlives streams: the tick timer, the queues it
 * registered, and HTTP/gRPC callouts (whose completions are delivered to the root context id, as in
 * Envoy), and it holds the per-callback state those callbacks read back (call response headers and
 * body, gRPC messages, the last status).
 */
public final class RootContext extends ContextBase {

  /** What a buffer or map read during a callback sees; cleared when the callback returns. */
  static final class CallbackState {
    HeaderMap httpCallHeaders;
    byte[] httpCallBody;
    HeaderMap httpCallTrailers;
    HeaderMap grpcInitialMetadata;
    HeaderMap grpcTrailingMetadata;
    byte[] grpcMessage;
    byte[] foreignFunctionArgs;
  }

  final CallbackState callback = new CallbackState();

  /** Set while {@code proxy_on_vm_start} runs (0.1.0's get_configuration returns the VM config). */
  boolean inVmStart;
  /** Set while {@code proxy_on_configure}/{@code proxy_validate_configuration} runs. */
  boolean inConfigure;

  long tickPeriodMillis;
  EventLoop.Cancellable tickTimer;

  int statusCode;
  String statusMessage = "";

  int nextHttpToken = 1;
  int nextGrpcCallToken = 1; // odd: unary calls
  int nextGrpcStreamToken = 2; // even: streams
  final Map<Integer, CalloutHost.Callout> httpCalls = new HashMap<>();
  final Map<Integer, CalloutHost.Callout> grpcCalls = new HashMap<>();
  final Map<Integer, CalloutHost.GrpcStream> grpcStreams = new HashMap<>();

  /** Set when {@code proxy_on_done} answered false at shutdown: finished by {@code proxy_done}. */
  boolean pendingDone;

  /** The entry an access logger is logging, only during its {@code proxy_on_log}. */
  AccessLogEntry logEntry;

  /** The plugin this root context belongs to. */
  final PluginServices plugin;
  /** Who is told when a queue this root registered gets an item. */
  final dev.xdsdp.wasm.shared.SharedQueueRegistry.Owner queueOwner;
  /** Streams of this root that are not yet destroyed. */
  int liveStreams;
  /** Set while {@code proxy_on_context_create}, {@code on_vm_start} and {@code on_configure} run. */
  boolean starting;
  /** Set once {@code proxy_on_delete} ran or the root was dropped; no callback reaches it after. */
  boolean removed;
  /** Runs once the root has ended, after a shutdown asked for it. */
  Runnable onEnded;

  RootContext(int id, WasmInstance instance, PluginServices plugin) {
    super(id, instance);
    this.plugin = plugin;
    this.queueOwner = queueId -> instance.post(() -> instance.deliverQueueReady(this, queueId));
  }

  /** The plugin this root context belongs to. */
  public PluginServices plugin() {
    return plugin;
  }

  public dev.xdsdp.wasm.shared.SharedQueueRegistry.Owner queueOwner() {
    return queueOwner;
  }

  /** Streams of this root that are not yet destroyed. */
  public int liveStreams() {
    return liveStreams;
  }

  /** True once the root context ended (or was dropped). */
  public boolean removed() {
    return removed;
  }

  @Override
  public RootContext root() {
    return this;
  }

  @Override
  public PropertyHost propertyHost() {
    return logEntry != null ? logEntry : plugin.rootProperties();
  }

  @Override
  public HeaderHost headerHost() {
    return logEntry;
  }

  @Override
  public boolean accessLogPhase() {
    return logEntry != null;
  }

  public boolean inVmStart() {
    return inVmStart;
  }

  public boolean inConfigure() {
    return inConfigure;
  }

  public long tickPeriodMillis() {
    return tickPeriodMillis;
  }

  public int statusCode() {
    return statusCode;
  }

  public String statusMessage() {
    return statusMessage;
  }

  /** The response of the HTTP call being delivered, or null outside {@code proxy_on_http_call_response}. */
  public HeaderMap httpCallHeaders() {
    return callback.httpCallHeaders;
  }

  public byte[] httpCallBody() {
    return callback.httpCallBody;
  }

  public HeaderMap httpCallTrailers() {
    return callback.httpCallTrailers;
  }

  public HeaderMap grpcInitialMetadata() {
    return callback.grpcInitialMetadata;
  }

  public HeaderMap grpcTrailingMetadata() {
    return callback.grpcTrailingMetadata;
  }

  public byte[] grpcMessage() {
    return callback.grpcMessage;
  }

  public byte[] foreignFunctionArgs() {
    return callback.foreignFunctionArgs;
  }

  public int newHttpToken() {
    return nextHttpToken++;
  }

  public int newGrpcCallToken() {
    int t = nextGrpcCallToken;
    nextGrpcCallToken += 2;
    return t;
  }

  public int newGrpcStreamToken() {
    int t = nextGrpcStreamToken;
    nextGrpcStreamToken += 2;
    return t;
  }

  public Map<Integer, CalloutHost.Callout> httpCalls() {
    return httpCalls;
  }

  public Map<Integer, CalloutHost.Callout> grpcCalls() {
    return grpcCalls;
  }

  public Map<Integer, CalloutHost.GrpcStream> grpcStreams() {
    return grpcStreams;
  }

  public boolean pendingDone() {
    return pendingDone;
  }

  void cancelCallouts() {
    httpCalls.values().forEach(CalloutHost.Callout::cancel);
    grpcCalls.values().forEach(CalloutHost.Callout::cancel);
    grpcStreams.values().forEach(CalloutHost.Callout::cancel);
    httpCalls.clear();
    grpcCalls.clear();
    grpcStreams.clear();
  }
}
