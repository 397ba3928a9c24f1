package dev.xdsdp.xds.client;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.xdsdp.xds.protocol.ControlPlaneClient;
import dev.xdsdp.xds.protocol.ResponseHandler;
import dev.xdsdp.xds.protocol.Subscription;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.resource.XdsResourceType;
import dev.xdsdp.xds.resource.XdsResourceTypes;
import dev.xdsdp.xds.snapshot.ResourceStatus;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Tracks subscriptions and watchers, parses resources into records, caches the accepted ones with
 * their versions and errors, and runs the {@code initial_fetch_timeout} timers. The wire (versions,
 * nonces, ACK/NACK, reconnects) is {@link ControlPlaneClient}'s.
 *
 * <p>Responses are applied per resource, as Envoy's LDS/CDS and gRPC (gRFC A46) do: the valid
 * resources of a response take effect, the invalid ones keep their last good value, and the
 * response is NACKed with every problem if any resource failed. A state-of-the-world LDS/CDS
 * response that cannot be decoded at all is rejected whole, since its deletions cannot be known.
 *
 * <p>Everything runs on the xDS context (one thread, no locks); callers must be on it.
 */
public final class XdsClient implements ResponseHandler {

  private static final System.Logger LOG = System.getLogger("config");

  private final ScheduledExecutorService context;
  private final Function<ConfigIssues, ParseContext> parseContexts;
  private final ResponseListener responseListener;
  private final Clock clock;
  private final Map<String, TypeEntry<?>> entries = new LinkedHashMap<>();
  private ControlPlaneClient controlPlane;

  /**
   * @param parseContexts makes the context of one resource parse from its fresh issue list; it
   *     must say {@code isStatic=false}
   */
  public XdsClient(ScheduledExecutorService context, Function<ConfigIssues, ParseContext> parseContexts,
      ResponseListener responseListener, Clock clock) {
    this.context = context;
    this.parseContexts = parseContexts;
    this.responseListener = responseListener;
    this.clock = clock;
    for (XdsResourceType<?> t : XdsResourceTypes.IN_ORDER) {
      entries.put(t.typeUrl(), new TypeEntry<>(t));
    }
  }

  /** Connects the client to the stream that carries its subscriptions. */
  public void setControlPlane(ControlPlaneClient controlPlane) {
    this.controlPlane = controlPlane;
  }

  /** One cached resource with what {@code /config_dump} shows of it. */
  private static final class Entry<T> {
    Message proto;
    T value;
    String version = "";
    Instant lastUpdated;
    ResourceStatus.State state = ResourceStatus.State.REQUESTED;
    String errorVersion = "";
    String errorDetails = "";
    Instant errorTime;
    Message rejected;
    ScheduledFuture<?> fetchTimer;
  }

  private static final class TypeEntry<T> {
    final XdsResourceType<T> type;
    final Map<String, Entry<T>> resources = new TreeMap<>();
    final Map<String, List<ResourceWatcher<T>>> named = new LinkedHashMap<>();
    final List<WildcardWatcher<T>> wildcard = new ArrayList<>();
    ScheduledFuture<?> wildcardTimer;
    boolean gotResponse;
    String version = "";
    ResourceValidator<T> validator;

    TypeEntry(XdsResourceType<T> type) {
      this.type = type;
    }

    boolean subscribed(String name) {
      return !wildcard.isEmpty() || named.containsKey(name);
    }
  }

  @SuppressWarnings("unchecked")
  private <T> TypeEntry<T> entry(XdsResourceType<T> type) {
    return (TypeEntry<T>) entries.get(type.typeUrl());
  }

  /** Adds a check that runs after parsing each resource of {@code type}. */
  public <T> void setValidator(XdsResourceType<T> type, ResourceValidator<T> validator) {
    entry(type).validator = validator;
  }

  /**
   * Watches one resource. A known value is reported right away (in a later task).
   *
   * @param initialFetchTimeout how long to wait for the first value before
   *     {@link ResourceWatcher#onDoesNotExist}; zero waits forever
   */
  public <T> void watch(XdsResourceType<T> type, String name, Duration initialFetchTimeout, ResourceWatcher<T> watcher) {
    TypeEntry<T> te = entry(type);
    List<ResourceWatcher<T>> list = te.named.computeIfAbsent(name, n -> new ArrayList<>());
    list.add(watcher);
    Entry<T> e = te.resources.computeIfAbsent(name, n -> new Entry<>());
    if (list.size() == 1) {
      if (e.value == null && e.fetchTimer == null && !initialFetchTimeout.isZero()
          && e.state != ResourceStatus.State.DOES_NOT_EXIST) {
        e.fetchTimer = schedule(() -> fetchTimedOut(te, name), initialFetchTimeout);
      }
      subscriptionChanged(type);
    }
    if (e.value != null) {
      T value = e.value;
      hop(() -> {
        List<ResourceWatcher<T>> now = te.named.get(name);
        if (now != null && now.contains(watcher) && te.resources.get(name) != null
            && te.resources.get(name).value == value) {
          watcher.onChanged(name, value);
        }
      });
    }
  }

  /** Stops a watch; the last watcher of a name unsubscribes it and drops it from the cache. */
  public <T> void cancelWatch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher) {
    TypeEntry<T> te = entry(type);
    List<ResourceWatcher<T>> list = te.named.get(name);
    if (list == null || !list.remove(watcher) || !list.isEmpty()) {
      return;
    }
    te.named.remove(name);
    if (te.wildcard.isEmpty()) {
      Entry<T> e = te.resources.remove(name);
      if (e != null && e.fetchTimer != null) {
        e.fetchTimer.cancel(false);
      }
    }
    subscriptionChanged(type);
  }

  /**
   * Watches every resource of a Listener or Cluster type.
   *
   * @param initialFetchTimeout how long to wait for the first response before
   *     {@link WildcardWatcher#onUpdateComplete onUpdateComplete(true)}; zero waits forever
   */
  public <T> void watchWildcard(XdsResourceType<T> type, Duration initialFetchTimeout, WildcardWatcher<T> watcher) {
    if (!type.allowsWildcard()) {
      throw new IllegalArgumentException(type.shortName() + " has no wildcard subscriptions");
    }
    TypeEntry<T> te = entry(type);
    te.wildcard.add(watcher);
    if (te.wildcard.size() == 1) {
      if (!te.gotResponse && !initialFetchTimeout.isZero()) {
        te.wildcardTimer = schedule(() -> wildcardTimedOut(te), initialFetchTimeout);
      }
      subscriptionChanged(type);
    }
  }

  /** Asks the server to send {@code names} again (a changed EDS cluster needs a fresh assignment). */
  public <T> void refresh(XdsResourceType<T> type, Set<String> names) {
    if (controlPlane != null && !names.isEmpty()) {
      controlPlane.refresh(type.typeUrl(), names);
    }
  }

  /** The accepted value of a resource, or null. */
  public <T> T get(XdsResourceType<T> type, String name) {
    Entry<T> e = entry(type).resources.get(name);
    return e == null ? null : e.value;
  }

  /** True once the resource arrived, was found missing, or timed out: nothing more to wait for. */
  public boolean isResolved(XdsResourceType<?> type, String name) {
    Entry<?> e = entries.get(type.typeUrl()).resources.get(name);
    return e != null && (e.value != null || e.state == ResourceStatus.State.DOES_NOT_EXIST);
  }

  /** The last fully accepted {@code version_info} (delta: {@code system_version_info}) of a type. */
  public String typeVersion(XdsResourceType<?> type) {
    return entries.get(type.typeUrl()).version;
  }

  /** What {@code /config_dump} shows for every known resource of a type. */
  public Map<String, ResourceStatus> statuses(XdsResourceType<?> type) {
    Map<String, ResourceStatus> out = new TreeMap<>();
    for (Map.Entry<String, ? extends Entry<?>> me : entries.get(type.typeUrl()).resources.entrySet()) {
      Entry<?> e = me.getValue();
      out.put(me.getKey(), new ResourceStatus(type.typeUrl(), me.getKey(), e.version, e.lastUpdated, e.state, e.proto,
          e.errorVersion, e.errorDetails, e.errorTime, e.rejected));
    }
    return out;
  }

  // ResponseHandler

  @Override
  public Subscription subscription(String typeUrl) {
    TypeEntry<?> te = entries.get(typeUrl);
    if (te == null) {
      return null;
    }
    return new Subscription(!te.wildcard.isEmpty(), te.named.keySet());
  }

  @Override
  public Map<String, String> resourceVersions(String typeUrl) {
    Map<String, String> out = new TreeMap<>();
    TypeEntry<?> te = entries.get(typeUrl);
    if (te != null) {
      te.resources.forEach((name, e) -> {
        if (e.value != null) {
          out.put(name, e.version);
        }
      });
    }
    return out;
  }

  @Override
  public String handleSotw(String typeUrl, String versionInfo, List<Any> resources) {
    return handleSotw(entries.get(typeUrl), versionInfo, resources);
  }

  private <T> String handleSotw(TypeEntry<T> te, String versionInfo, List<Any> resources) {
    XdsResourceType<T> type = te.type;
    List<String> errors = new ArrayList<>();
    Map<String, Message> protos = new LinkedHashMap<>();
    boolean undecodable = false;
    for (int i = 0; i < resources.size(); i++) {
      Message proto;
      try {
        proto = type.unpack(resources.get(i));
      } catch (ResourceInvalidException e) {
        errors.add("resources[" + i + "]: " + e.getMessage());
        undecodable = true;
        continue;
      }
      String name = type.name(proto);
      if (!te.subscribed(name)) {
        continue;
      }
      if (protos.putIfAbsent(name, proto) != null) {
        errors.add(name + ": duplicate resource name in one response");
      }
    }
    if (undecodable && type.fullStateInSotw()) {
      String error = type.shortName() + " response version " + versionInfo + " rejected: " + String.join("\n", errors);
      responseListener.onResponse(type, versionInfo, Set.of(), Set.of(), Map.of("", error), Set.of(), error);
      logNack(type, error);
      return error;
    }
    Instant now = clock.instant();
    Set<String> accepted = new LinkedHashSet<>();
    Set<String> changed = new LinkedHashSet<>();
    Map<String, String> rejected = new LinkedHashMap<>();
    for (Map.Entry<String, Message> p : protos.entrySet()) {
      apply(te, p.getKey(), p.getValue(), versionInfo, now, accepted, changed, rejected);
    }
    Set<String> absent = new LinkedHashSet<>();
    if (type.fullStateInSotw()) {
      for (String name : List.copyOf(te.resources.keySet())) {
        if (protos.containsKey(name)) {
          continue;
        }
        if (te.resources.get(name).value != null) {
          removed(te, name);
        } else if (!te.named.containsKey(name)) {
          te.resources.remove(name);
        }
      }
    } else {
      for (String name : te.named.keySet()) {
        if (!protos.containsKey(name)) {
          absent.add(name);
        }
      }
    }
    rejected.forEach((name, why) -> errors.add(why));
    return finish(te, versionInfo, accepted, changed, rejected, absent, errors);
  }

  @Override
  public String handleDelta(String typeUrl, String systemVersionInfo, List<Resource> resources, List<String> removed) {
    return handleDelta(entries.get(typeUrl), systemVersionInfo, resources, removed);
  }

  private <T> String handleDelta(TypeEntry<T> te, String systemVersion, List<Resource> resources, List<String> removed) {
    XdsResourceType<T> type = te.type;
    List<String> errors = new ArrayList<>();
    Instant now = clock.instant();
    Set<String> accepted = new LinkedHashSet<>();
    Set<String> changed = new LinkedHashSet<>();
    Map<String, String> rejected = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < resources.size(); i++) {
      Resource r = resources.get(i);
      if (!r.hasResource()) {
        // A TTL heartbeat; we advertise no TTL support, so there is nothing to refresh.
        continue;
      }
      Message proto;
      try {
        proto = type.unpack(r.getResource());
      } catch (ResourceInvalidException e) {
        String label = r.getName().isEmpty() ? "resources[" + i + "]" : r.getName();
        errors.add(label + ": " + e.getMessage());
        if (!r.getName().isEmpty() && te.subscribed(r.getName())) {
          rejectedUpdate(te, r.getName(), null, r.getVersion(), now, label + ": " + e.getMessage(), rejected);
        }
        continue;
      }
      String name = r.getName().isEmpty() ? type.name(proto) : r.getName();
      if (!te.subscribed(name)) {
        continue;
      }
      if (!seen.add(name)) {
        errors.add(name + ": duplicate resource name in one response");
        continue;
      }
      apply(te, name, proto, r.getVersion(), now, accepted, changed, rejected);
    }
    for (String name : removed) {
      Entry<T> e = te.resources.get(name);
      if (e != null) {
        removed(te, name);
      }
    }
    rejected.forEach((name, why) -> {
      if (!errors.contains(why)) {
        errors.add(why);
      }
    });
    return finish(te, systemVersion, accepted, changed, rejected, Set.of(), errors);
  }

  private <T> String finish(TypeEntry<T> te, String version, Set<String> accepted, Set<String> changed,
      Map<String, String> rejected, Set<String> absent, List<String> errors) {
    XdsResourceType<T> type = te.type;
    String error = null;
    if (errors.isEmpty()) {
      te.version = version;
    } else {
      error = String.join("\n", errors);
      logNack(type, error);
    }
    boolean first = !te.gotResponse;
    te.gotResponse = true;
    if (first && te.wildcardTimer != null) {
      te.wildcardTimer.cancel(false);
      te.wildcardTimer = null;
    }
    for (WildcardWatcher<T> w : List.copyOf(te.wildcard)) {
      w.onUpdateComplete(false);
    }
    responseListener.onResponse(type, version, accepted, changed, rejected, absent, error);
    return error;
  }

  private static void logNack(XdsResourceType<?> type, String error) {
    LOG.log(System.Logger.Level.WARNING, "{0}: rejecting update: {1}", type.shortName(), error);
  }

  /** Parses and stores one resource, or records why not. */
  private <T> void apply(TypeEntry<T> te, String name, Message proto, String version, Instant now,
      Set<String> accepted, Set<String> changed, Map<String, String> rejected) {
    Entry<T> e = te.resources.computeIfAbsent(name, n -> new Entry<>());
    T value;
    boolean same = e.value != null && proto.equals(e.proto);
    if (same) {
      value = e.value;
    } else {
      ConfigIssues issues = new ConfigIssues();
      ParseContext ctx = parseContexts.apply(issues);
      issues.beginResource(te.type.shortName() + " " + name);
      try {
        value = te.type.parse(proto, ctx);
      } catch (ResourceInvalidException ex) {
        rejectedUpdate(te, name, proto, version, now, describe(name, ex), rejected);
        return;
      } catch (RuntimeException ex) {
        LOG.log(System.Logger.Level.ERROR, te.type.shortName() + " " + name + ": parse failed", ex);
        rejectedUpdate(te, name, proto, version, now, name + ": " + ex, rejected);
        return;
      }
      if (te.validator != null) {
        try {
          te.validator.validate(name, value);
        } catch (ResourceInvalidException ex) {
          te.type.discard(value);
          rejectedUpdate(te, name, proto, version, now, describe(name, ex), rejected);
          return;
        }
      }
      for (ConfigIssues.Issue issue : issues.issues()) {
        LOG.log(System.Logger.Level.WARNING, "not supported, ignored: {0}", issue);
      }
      changed.add(name);
    }
    e.proto = proto;
    e.value = value;
    e.version = version;
    e.lastUpdated = now;
    e.state = ResourceStatus.State.ACKED;
    e.errorVersion = "";
    e.errorDetails = "";
    e.errorTime = null;
    e.rejected = null;
    if (e.fetchTimer != null) {
      e.fetchTimer.cancel(false);
      e.fetchTimer = null;
    }
    accepted.add(name);
    for (ResourceWatcher<T> w : watchers(te, name)) {
      w.onChanged(name, value);
    }
  }

  private static String describe(String name, ResourceInvalidException ex) {
    return ex.resourceName().equals(name) ? ex.describe() : name + ": " + ex.describe();
  }

  private <T> void rejectedUpdate(TypeEntry<T> te, String name, Message proto, String version, Instant now,
      String why, Map<String, String> rejected) {
    Entry<T> e = te.resources.computeIfAbsent(name, n -> new Entry<>());
    e.state = ResourceStatus.State.NACKED;
    e.errorVersion = version;
    e.errorDetails = why;
    e.errorTime = now;
    e.rejected = proto;
    rejected.put(name, why);
    for (ResourceWatcher<T> w : watchers(te, name)) {
      w.onAmbientError(name, why);
    }
  }

  private <T> void removed(TypeEntry<T> te, String name) {
    Entry<T> e = te.resources.get(name);
    if (te.named.containsKey(name)) {
      // Still wanted: remember that it is missing, in case it comes back.
      e.proto = null;
      e.value = null;
      e.version = "";
      e.state = ResourceStatus.State.DOES_NOT_EXIST;
      if (e.fetchTimer != null) {
        e.fetchTimer.cancel(false);
        e.fetchTimer = null;
      }
    } else {
      te.resources.remove(name);
    }
    for (ResourceWatcher<T> w : watchers(te, name)) {
      w.onDoesNotExist(name);
    }
  }

  private <T> List<ResourceWatcher<T>> watchers(TypeEntry<T> te, String name) {
    List<ResourceWatcher<T>> out = new ArrayList<>(te.named.getOrDefault(name, List.of()));
    out.addAll(te.wildcard);
    return out;
  }

  // Runs on the xDS context.
  private <T> void fetchTimedOut(TypeEntry<T> te, String name) {
    Entry<T> e = te.resources.get(name);
    if (e == null || e.value != null || e.fetchTimer == null || !te.named.containsKey(name)) {
      return;
    }
    e.fetchTimer = null;
    e.state = ResourceStatus.State.DOES_NOT_EXIST;
    LOG.log(System.Logger.Level.WARNING, "{0}: {1} did not arrive within its initial_fetch_timeout",
        te.type.shortName(), name);
    responseListener.onFetchTimeout(te.type, name);
    for (ResourceWatcher<T> w : watchers(te, name)) {
      w.onDoesNotExist(name);
    }
  }

  // Runs on the xDS context.
  private <T> void wildcardTimedOut(TypeEntry<T> te) {
    te.wildcardTimer = null;
    if (te.gotResponse) {
      return;
    }
    LOG.log(System.Logger.Level.WARNING, "{0}: no response within initial_fetch_timeout; going on without it",
        te.type.shortName());
    responseListener.onFetchTimeout(te.type, null);
    for (WildcardWatcher<T> w : List.copyOf(te.wildcard)) {
      w.onUpdateComplete(true);
    }
  }

  @Override
  public void onStreamFailure(Throwable error) {
    String why = "ADS stream failed: " + (error == null ? "closed by the server" : error.getMessage());
    responseListener.onStreamFailure();
    for (TypeEntry<?> te : entries.values()) {
      notifyAmbient(te, why);
    }
  }

  private <T> void notifyAmbient(TypeEntry<T> te, String why) {
    for (ResourceWatcher<T> w : List.copyOf(te.wildcard)) {
      w.onAmbientError(null, why);
    }
    for (Map.Entry<String, List<ResourceWatcher<T>>> me : List.copyOf(te.named.entrySet())) {
      for (ResourceWatcher<T> w : List.copyOf(me.getValue())) {
        w.onAmbientError(me.getKey(), why);
      }
    }
  }

  private void subscriptionChanged(XdsResourceType<?> type) {
    if (controlPlane != null) {
      controlPlane.subscriptionChanged(type.typeUrl());
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    try {
      return context.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  private void hop(Runnable task) {
    try {
      context.execute(task);
    } catch (RejectedExecutionException e) {
      // Shutting down.
    }
  }
}
