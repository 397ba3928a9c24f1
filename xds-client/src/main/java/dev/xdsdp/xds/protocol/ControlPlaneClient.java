package dev.xdsdp.xds.protocol;

import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.xds.bootstrap.XdsBootstrapInfo;
import dev.xdsdp.xds.resource.XdsResourceType;
import dev.xdsdp.xds.resource.XdsResourceTypes;
import dev.xdsdp.xds.transport.StreamEventHandler;
import dev.xdsdp.xds.transport.XdsStream;
import dev.xdsdp.xds.transport.XdsTransport;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * One ADS stream to one server, state of the world or incremental: per type URL the accepted
 * version, the latest nonce and what was subscribed; ACK or NACK for every response; resending the
 * subscriptions on a new stream after a jittered exponential backoff (500 ms to 30 s, reset by a
 * received message). Resource contents are the {@link ResponseHandler}'s business.
 *
 * <p>Owned by the xDS context: every method except {@link #start()} and {@link #close()} must be
 * called on it, and transport events hop onto it. Requests caused while a response is handled
 * (e.g. EDS names found in a CDS response) are batched and sent after that response's ACK, as
 * Envoy pauses dependent types while it applies clusters and listeners.
 */
public final class ControlPlaneClient implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("xds");
  /** Envoy truncates NACK messages to this many characters. */
  static final int MAX_ERROR_DETAIL = 4096;

  private final XdsTransport transport;
  private final XdsBootstrapInfo.ApiType apiType;
  private final Node node;
  private final boolean nodeOnFirstMessageOnly;
  private final ScheduledExecutorService context;
  private final ResponseHandler handler;
  private final Backoff backoff;
  private final TokenBucket rateLimit;
  private final Gauge connectedState;
  private final Counter rateLimitEnforced;
  private final Gauge pendingRequests;

  private final Map<String, TypeState> types = new LinkedHashMap<>();
  private final Set<String> dirty = new HashSet<>();
  private final ArrayDeque<Object> queued = new ArrayDeque<>();
  private boolean flushScheduled;
  private ScheduledFuture<?> drainTimer;
  private ScheduledFuture<?> retryTimer;
  private XdsStream<DiscoveryRequest> sotwStream;
  private XdsStream<DeltaDiscoveryRequest> deltaStream;
  private int generation;
  private boolean nodeSent;
  private boolean closed;
  private boolean receivedOnStream;

  /** Per type URL, what this stream knows. */
  private static final class TypeState {
    String version = "";
    String nonce = "";
    boolean sentOnStream;
    // Delta: what the server was told on this stream.
    final Set<String> deltaSent = new HashSet<>();
    boolean deltaWildcardSent;
    final Set<String> forced = new HashSet<>();
  }

  public ControlPlaneClient(
      XdsTransport transport,
      XdsBootstrapInfo info,
      Node node,
      ScheduledExecutorService context,
      ResponseHandler handler,
      StatsScope stats) {
    this(transport, info, node, context, handler, stats,
        new Backoff(Backoff.DEFAULT_BASE, Backoff.DEFAULT_MAX, RandomGenerator.getDefault()));
  }

  ControlPlaneClient(
      XdsTransport transport,
      XdsBootstrapInfo info,
      Node node,
      ScheduledExecutorService context,
      ResponseHandler handler,
      StatsScope stats,
      Backoff backoff) {
    this.transport = transport;
    this.apiType = info.apiType();
    this.node = node;
    this.nodeOnFirstMessageOnly = info.setNodeOnFirstMessageOnly();
    this.context = context;
    this.handler = handler;
    this.backoff = backoff;
    this.rateLimit = info.rateLimit() == null
        ? null
        : new TokenBucket(info.rateLimit().maxTokens(), info.rateLimit().fillRatePerSecond(), System::nanoTime);
    StatsScope cp = stats.scope("control_plane");
    this.connectedState = cp.gauge("connected_state");
    this.rateLimitEnforced = cp.counter("rate_limit_enforced");
    this.pendingRequests = cp.gauge("pending_requests");
    for (XdsResourceType<?> t : XdsResourceTypes.IN_ORDER) {
      types.put(t.typeUrl(), new TypeState());
    }
  }

  /** Opens the first stream. Any thread. */
  public void start() {
    hop(this::openStream);
  }

  /**
   * Notes that the subscription of {@code typeUrl} changed; the request goes out once the current
   * task (e.g. applying a response) is done. Runs on the xDS context.
   */
  public void subscriptionChanged(String typeUrl) {
    dirty.add(typeUrl);
    scheduleFlush();
  }

  /**
   * Asks the server to send {@code names} again although they are subscribed already (a changed
   * EDS cluster needs a fresh ClusterLoadAssignment). Runs on the xDS context.
   */
  public void refresh(String typeUrl, Set<String> names) {
    TypeState st = types.get(typeUrl);
    st.forced.addAll(names);
    subscriptionChanged(typeUrl);
  }

  /** The last accepted {@code version_info} of a type (state of the world), or empty. Runs on the xDS context. */
  public String acceptedVersion(String typeUrl) {
    return types.get(typeUrl).version;
  }

  /** True while a stream is open. Runs on the xDS context. */
  public boolean hasStream() {
    return sotwStream != null || deltaStream != null;
  }

  /** The stream's target, for logs. */
  public String target() {
    return transport.target();
  }

  /** Closes the stream and stops reconnecting. Any thread; the transport stays the caller's. */
  @Override
  public void close() {
    hop(() -> {
      closed = true;
      closeStream();
      if (retryTimer != null) {
        retryTimer.cancel(false);
      }
      if (drainTimer != null) {
        drainTimer.cancel(false);
      }
      connectedState.set(0);
    });
  }

  // Runs on the xDS context.
  private void openStream() {
    if (closed) {
      return;
    }
    retryTimer = null;
    transport.resetConnectBackoff();
    int gen = ++generation;
    nodeSent = false;
    receivedOnStream = false;
    queued.clear();
    pendingRequests.set(0);
    for (TypeState st : types.values()) {
      st.nonce = "";
      st.sentOnStream = false;
      st.deltaSent.clear();
      st.deltaWildcardSent = false;
      st.forced.clear();
    }
    LOG.log(System.Logger.Level.DEBUG, "opening {0} ADS stream to {1}", apiType, transport.target());
    try {
      if (apiType == XdsBootstrapInfo.ApiType.SOTW) {
        sotwStream = transport.openSotw(new Events<>(gen, this::onSotwResponse));
      } else {
        deltaStream = transport.openDelta(new Events<>(gen, this::onDeltaResponse));
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot open ADS stream to " + transport.target(), e);
      scheduleRetry();
      return;
    }
    // Envoy counts the stream as connected once it is started.
    connectedState.set(1);
    dirty.addAll(types.keySet());
    flush();
  }

  private void closeStream() {
    if (sotwStream != null) {
      sotwStream.close();
      sotwStream = null;
    }
    if (deltaStream != null) {
      deltaStream.close();
      deltaStream = null;
    }
  }

  /** Transport events of one stream generation, hopped onto the xDS context. */
  private final class Events<R> implements StreamEventHandler<R> {
    private final int gen;
    private final java.util.function.Consumer<R> onMessage;

    Events(int gen, java.util.function.Consumer<R> onMessage) {
      this.gen = gen;
      this.onMessage = onMessage;
    }

    @Override
    public void onMessage(R response) {
      hop(() -> {
        if (gen == generation && !closed) {
          onMessage.accept(response);
        }
      });
    }

    @Override
    public void onClose(Throwable error) {
      hop(() -> {
        if (gen == generation && !closed) {
          onStreamClosed(error);
        }
      });
    }
  }

  // Runs on the xDS context.
  private void onStreamClosed(Throwable error) {
    sotwStream = null;
    deltaStream = null;
    connectedState.set(0);
    LOG.log(System.Logger.Level.WARNING, "{0} ADS stream to {1} closed: {2}", apiType, transport.target(),
        error == null ? "by the server" : error.getMessage());
    handler.onStreamFailure(error);
    if (receivedOnStream) {
      backoff.reset();
    }
    scheduleRetry();
  }

  private void scheduleRetry() {
    Duration wait = backoff.next();
    LOG.log(System.Logger.Level.DEBUG, "reconnecting to {0} in {1} ms", transport.target(), wait.toMillis());
    try {
      retryTimer = context.schedule(this::openStream, wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Shutting down.
    }
  }

  // Runs on the xDS context.
  private void onSotwResponse(DiscoveryResponse r) {
    receivedOnStream = true;
    backoff.reset();
    String typeUrl = r.getTypeUrl();
    TypeState st = types.get(typeUrl);
    if (st == null) {
      LOG.log(System.Logger.Level.WARNING, "ignoring a response of unknown type URL ''{0}''", typeUrl);
      return;
    }
    st.nonce = r.getNonce();
    String error;
    try {
      error = handler.handleSotw(typeUrl, r.getVersionInfo(), r.getResourcesList());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "applying " + typeUrl + " failed", e);
      error = "internal error applying the response: " + e;
    }
    if (error == null) {
      st.version = r.getVersionInfo();
    }
    dirty.remove(typeUrl);
    sendSotw(typeUrl, st, error);
    flush();
  }

  // Runs on the xDS context.
  private void onDeltaResponse(DeltaDiscoveryResponse r) {
    receivedOnStream = true;
    backoff.reset();
    String typeUrl = r.getTypeUrl();
    TypeState st = types.get(typeUrl);
    if (st == null) {
      LOG.log(System.Logger.Level.WARNING, "ignoring a response of unknown type URL ''{0}''", typeUrl);
      return;
    }
    st.nonce = r.getNonce();
    String error;
    try {
      error = handler.handleDelta(typeUrl, r.getSystemVersionInfo(), r.getResourcesList(), r.getRemovedResourcesList());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "applying " + typeUrl + " failed", e);
      error = "internal error applying the response: " + e;
    }
    if (error == null) {
      st.version = r.getSystemVersionInfo();
    }
    dirty.remove(typeUrl);
    sendDelta(typeUrl, st, r.getNonce(), error);
    flush();
  }

  private void scheduleFlush() {
    if (flushScheduled) {
      return;
    }
    flushScheduled = true;
    hop(() -> {
      flushScheduled = false;
      flush();
    });
  }

  // Runs on the xDS context.
  private void flush() {
    if (!hasStream() || dirty.isEmpty()) {
      return;
    }
    for (Map.Entry<String, TypeState> e : types.entrySet()) {
      if (dirty.remove(e.getKey())) {
        if (apiType == XdsBootstrapInfo.ApiType.SOTW) {
          sendSotw(e.getKey(), e.getValue(), null);
        } else {
          sendDelta(e.getKey(), e.getValue(), null, null);
        }
      }
    }
    dirty.clear();
  }

  private void sendSotw(String typeUrl, TypeState st, String error) {
    Subscription sub = subscription(typeUrl);
    if (!st.sentOnStream && sub.isEmpty()) {
      return;
    }
    DiscoveryRequest.Builder b = DiscoveryRequest.newBuilder()
        .setTypeUrl(typeUrl)
        .setVersionInfo(st.version)
        .setResponseNonce(st.nonce);
    // Wildcard is the legacy empty list for state of the world, which every server understands.
    if (!sub.wildcard()) {
      b.addAllResourceNames(new TreeSet<>(sub.names()));
    }
    if (error != null) {
      b.setErrorDetail(errorDetail(error));
    }
    if (!nodeSent || !nodeOnFirstMessageOnly) {
      b.setNode(node);
      nodeSent = true;
    }
    st.sentOnStream = true;
    st.forced.clear();
    send(b.build());
  }

  private void sendDelta(String typeUrl, TypeState st, String ackNonce, String error) {
    Subscription sub = subscription(typeUrl);
    DeltaDiscoveryRequest.Builder b = DeltaDiscoveryRequest.newBuilder().setTypeUrl(typeUrl);
    if (ackNonce != null) {
      b.setResponseNonce(ackNonce);
    }
    if (error != null) {
      b.setErrorDetail(errorDetail(error));
    }
    boolean first = !st.sentOnStream;
    if (first && sub.isEmpty() && ackNonce == null) {
      return;
    }
    Set<String> subscribe = new TreeSet<>();
    Set<String> unsubscribe = new TreeSet<>();
    for (String name : sub.names()) {
      if (!st.deltaSent.contains(name) || st.forced.contains(name)) {
        subscribe.add(name);
      }
    }
    for (String name : st.deltaSent) {
      if (!sub.names().contains(name)) {
        unsubscribe.add(name);
      }
    }
    if (sub.wildcard() && !st.deltaWildcardSent) {
      subscribe.add("*");
    } else if (!sub.wildcard() && st.deltaWildcardSent) {
      unsubscribe.add("*");
    }
    if (first) {
      Map<String, String> versions = handler.resourceVersions(typeUrl);
      for (Map.Entry<String, String> v : versions.entrySet()) {
        if (sub.wildcard() || sub.names().contains(v.getKey())) {
          b.putInitialResourceVersions(v.getKey(), v.getValue());
        }
      }
    }
    if (!first && ackNonce == null && subscribe.isEmpty() && unsubscribe.isEmpty()) {
      return;
    }
    b.addAllResourceNamesSubscribe(subscribe).addAllResourceNamesUnsubscribe(unsubscribe);
    if (!nodeSent || !nodeOnFirstMessageOnly) {
      b.setNode(node);
      nodeSent = true;
    }
    st.sentOnStream = true;
    st.deltaSent.clear();
    st.deltaSent.addAll(sub.names());
    st.deltaWildcardSent = sub.wildcard();
    st.forced.clear();
    send(b.build());
  }

  private Subscription subscription(String typeUrl) {
    Subscription s = handler.subscription(typeUrl);
    return s == null ? Subscription.NONE : s;
  }

  static Status errorDetail(String message) {
    if (message.length() > MAX_ERROR_DETAIL) {
      message = message.substring(0, MAX_ERROR_DETAIL - 14) + "...(truncated)";
    }
    return Status.newBuilder().setCode(Code.INTERNAL_VALUE).setMessage(message).build();
  }

  private void send(Object request) {
    if (rateLimit != null && (!queued.isEmpty() || !rateLimit.tryConsume())) {
      queued.add(request);
      rateLimitEnforced.inc();
      pendingRequests.set(queued.size());
      scheduleDrain();
      return;
    }
    write(request);
  }

  @SuppressWarnings("unchecked")
  private void write(Object request) {
    if (request instanceof DiscoveryRequest r && sotwStream != null) {
      sotwStream.send(r);
    } else if (request instanceof DeltaDiscoveryRequest r && deltaStream != null) {
      deltaStream.send(r);
    }
  }

  private void scheduleDrain() {
    if (drainTimer != null && !drainTimer.isDone()) {
      return;
    }
    try {
      drainTimer = context.schedule(this::drain, Math.max(1, rateLimit.untilNext().toMillis()), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Shutting down.
    }
  }

  // Runs on the xDS context.
  private void drain() {
    while (!queued.isEmpty() && rateLimit.tryConsume()) {
      write(queued.poll());
    }
    pendingRequests.set(queued.size());
    if (!queued.isEmpty()) {
      drainTimer = null;
      scheduleDrain();
    }
  }

  private void hop(Runnable task) {
    try {
      context.execute(task);
    } catch (RejectedExecutionException e) {
      // The context is shut down: nothing to do any more.
    }
  }

  /** For tests: per type URL, the names last told to a delta server. Runs on the xDS context. */
  Map<String, Set<String>> deltaSentForTest() {
    Map<String, Set<String>> out = new HashMap<>();
    types.forEach((k, v) -> out.put(k, Set.copyOf(v.deltaSent)));
    return out;
  }
}
