package dev.xdsdp.xds.snapshot;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.xdsdp.xds.bootstrap.XdsBootstrapInfo;
import dev.xdsdp.xds.client.ResourceWatcher;
import dev.xdsdp.xds.client.WildcardWatcher;
import dev.xdsdp.xds.client.XdsClient;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.resource.XdsResourceType;
import dev.xdsdp.xds.resource.XdsResourceTypes;
import dev.xdsdp.xds.resource.cluster.ClusterConfig;
import dev.xdsdp.xds.resource.ecds.ExtensionConfigResourceType;
import dev.xdsdp.xds.resource.endpoint.LoadAssignmentConfig;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import dev.xdsdp.xds.resource.listener.ListenerResourceType;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Turns the xDS client's resources into {@link ConfigSnapshot}s, following Envoy's listener and
 * cluster managers: LDS and CDS are wildcard; RDS names come from the HTTP connection managers of
 * active and warming listeners, ECDS names from their {@code config_discovery} filters, EDS names
 * from EDS clusters; a name nobody refers to any more is unsubscribed.
 *
 * <p>Warming: a new or changed listener waits in {@code warmingListeners} (its old version keeps
 * serving) until its route configurations and extension configs arrived or their
 * {@code initial_fetch_timeout} passed; a new or changed EDS cluster waits until a fresh
 * ClusterLoadAssignment arrives. Initialization follows Envoy's order: CDS and the endpoints of
 * its clusters first, then LDS and what its listeners need.
 *
 * <p>Runs on the xDS context. After each change a snapshot is published once the current task
 * (usually one response) is done.
 */
public final class SnapshotAssembler {

  private static final System.Logger LOG = System.getLogger("config");

  private final XdsClient client;
  private final XdsBootstrapInfo info;
  private final ScheduledExecutorService context;
  private final SnapshotListener listener;
  private final UnaryOperator<Any> normalize;
  private final XdsStats stats;
  private final Clock clock;

  private final Map<String, ListenerConfig> activeListeners = new TreeMap<>();
  private final Map<String, ListenerConfig> warmingListeners = new TreeMap<>();
  // By identity: records would hash whole listener trees on every lookup.
  private final Map<ListenerConfig, ListenerDeps> depsCache = new java.util.IdentityHashMap<>();
  private final Map<String, ClusterConfig> activeClusters = new TreeMap<>();
  private final Map<String, ClusterConfig> warmingClusters = new TreeMap<>();
  private final Map<String, ScheduledFuture<?>> clusterWarmTimers = new HashMap<>();

  private final Set<String> rdsWatched = new HashSet<>();
  private final Set<String> ecdsWatched = new HashSet<>();
  private final Set<String> edsWatched = new HashSet<>();

  private boolean cdsDone;
  private boolean ldsStarted;
  private boolean ldsDone;
  private boolean initialized;
  private boolean publishScheduled;
  private ConfigSnapshot current = ConfigSnapshot.EMPTY;

  /** What a listener waits for and refers to, read from its proto. */
  record ListenerDeps(Map<String, Duration> rds, Map<String, String> rdsStatPrefixes, Map<String, EcdsRef> ecds) {}

  /** One {@code config_discovery} filter: its timeout, its accepted types, whether it blocks warming. */
  record EcdsRef(Duration timeout, List<List<String>> typeUrls, boolean warms) {}

  public SnapshotAssembler(XdsClient client, XdsBootstrapInfo info, ScheduledExecutorService context,
      SnapshotListener listener, UnaryOperator<Any> normalize, XdsStats stats, Clock clock) {
    this.client = client;
    this.info = info;
    this.context = context;
    this.listener = listener;
    this.normalize = normalize;
    this.stats = stats;
    this.clock = clock;
  }

  /** Subscribes the roots. Runs on the xDS context. */
  public void start() {
    client.setValidator(XdsResourceTypes.CLUSTER, (name, c) -> {
      if (info.staticClusterNames().contains(name)) {
        throw new ResourceInvalidException(name, "cds: cluster '" + name
            + "' is static (defined in the bootstrap) and cannot be added or updated by CDS");
      }
    });
    client.setValidator(XdsResourceTypes.LISTENER, this::validateListener);
    client.setValidator(XdsResourceTypes.EXTENSION_CONFIG, this::validateExtensionConfig);
    if (info.cds()) {
      client.watchWildcard(XdsResourceTypes.CLUSTER, info.cdsInitialFetchTimeout(), new ClusterWatcher());
    } else {
      cdsDone = true;
      maybeStartLds();
    }
    schedulePublish();
  }

  /** The last published snapshot. Runs on the xDS context. */
  public ConfigSnapshot current() {
    return current;
  }

  // --- listeners

  private void validateListener(String name, ListenerConfig l) throws ResourceInvalidException {
    ListenerDeps deps = deps(l);
    for (Map.Entry<String, EcdsRef> e : deps.ecds().entrySet()) {
      ExtensionConfig known = client.get(XdsResourceTypes.EXTENSION_CONFIG, e.getKey());
      if (known != null) {
        for (List<String> urls : e.getValue().typeUrls()) {
          try {
            ExtensionConfigResourceType.checkTypeUrl(known, urls);
          } catch (ResourceInvalidException ex) {
            throw new ResourceInvalidException(name, "http filter '" + e.getKey() + "': " + ex.getMessage());
          }
        }
      }
    }
    if (l.bindToPort() && (l.address().isPipe() || l.address().port() != 0)) {
      for (ListenerConfig other : allListeners()) {
        if (!other.name().equals(name) && other.bindToPort() && other.address().equals(l.address())) {
          throw new ResourceInvalidException(name, "error adding listener '" + l.address() + "': listener '"
              + other.name() + "' has duplicate address '" + l.address() + "' as existing listener");
        }
      }
    }
  }

  private final class ListenerWatcher implements WildcardWatcher<ListenerConfig> {
    @Override
    public void onChanged(String name, ListenerConfig l) {
      ListenerConfig active = activeListeners.get(name);
      ListenerConfig warming = warmingListeners.get(name);
      if ((warming == null && active != null && active.source().equals(l.source()))
          || (warming != null && warming.source().equals(l.source()))) {
        return;
      }
      LOG.log(System.Logger.Level.INFO, "lds: add/update listener ''{0}''", name);
      warmingListeners.put(name, l);
      updateListenerSubscriptions();
      activateReadyListeners();
      schedulePublish();
    }

    @Override
    public void onDoesNotExist(String name) {
      boolean had = activeListeners.remove(name) != null;
      had |= warmingListeners.remove(name) != null;
      if (had) {
        LOG.log(System.Logger.Level.INFO, "lds: remove listener ''{0}''", name);
        updateListenerSubscriptions();
      }
      schedulePublish();
    }

    @Override
    public void onAmbientError(String name, String error) {
      schedulePublish();
    }

    @Override
    public void onUpdateComplete(boolean timedOut) {
      if (!ldsDone) {
        ldsDone = true;
        checkInitialized();
      }
      schedulePublish();
    }
  }

  private Iterable<ListenerConfig> allListeners() {
    List<ListenerConfig> all = new ArrayList<>(activeListeners.values());
    all.addAll(warmingListeners.values());
    return all;
  }

  private void updateListenerSubscriptions() {
    Map<String, Duration> rds = new LinkedHashMap<>();
    Map<String, Duration> ecds = new LinkedHashMap<>();
    Map<String, String> rdsPrefixes = new HashMap<>();
    Set<ListenerConfig> live = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (ListenerConfig l : allListeners()) {
      live.add(l);
      ListenerDeps d = deps(l);
      d.rds().forEach(rds::putIfAbsent);
      d.rdsStatPrefixes().forEach(rdsPrefixes::putIfAbsent);
      d.ecds().forEach((n, ref) -> ecds.putIfAbsent(n, ref.timeout()));
    }
    depsCache.keySet().retainAll(live);
    stats.setRdsStatPrefixes(rdsPrefixes);
    sync(XdsResourceTypes.ROUTE, rdsWatched, rds, routeWatcher);
    sync(XdsResourceTypes.EXTENSION_CONFIG, ecdsWatched, ecds, ecdsWatcher);
  }

  private <T> void sync(XdsResourceType<T> type, Set<String> watched, Map<String, Duration> wanted,
      ResourceWatcher<T> watcher) {
    for (String name : List.copyOf(watched)) {
      if (!wanted.containsKey(name)) {
        watched.remove(name);
        client.cancelWatch(type, name, watcher);
      }
    }
    for (Map.Entry<String, Duration> e : wanted.entrySet()) {
      if (watched.add(e.getKey())) {
        client.watch(type, e.getKey(), e.getValue(), watcher);
      }
    }
  }

  private void activateReadyListeners() {
    boolean replaced = false;
    for (String name : List.copyOf(warmingListeners.keySet())) {
      ListenerConfig l = warmingListeners.get(name);
      if (ready(deps(l))) {
        warmingListeners.remove(name);
        replaced |= activeListeners.put(name, l) != null;
        LOG.log(System.Logger.Level.INFO, "lds: listener ''{0}'' warmed", name);
      }
    }
    if (replaced) {
      // The old versions' routes and extension configs may have no user left.
      updateListenerSubscriptions();
    }
    checkInitialized();
  }

  private boolean ready(ListenerDeps deps) {
    for (String rds : deps.rds().keySet()) {
      if (!client.isResolved(XdsResourceTypes.ROUTE, rds)) {
        return false;
      }
    }
    for (Map.Entry<String, EcdsRef> e : deps.ecds().entrySet()) {
      if (e.getValue().warms() && !client.isResolved(XdsResourceTypes.EXTENSION_CONFIG, e.getKey())) {
        return false;
      }
    }
    return true;
  }

  private ListenerDeps deps(ListenerConfig l) {
    return depsCache.computeIfAbsent(l, this::readDeps);
  }

  private ListenerDeps readDeps(ListenerConfig l) {
    Map<String, Duration> rds = new LinkedHashMap<>();
    Map<String, String> prefixes = new LinkedHashMap<>();
    Map<String, EcdsRef> ecds = new LinkedHashMap<>();
    if (!(l.source() instanceof Listener proto)) {
      return new ListenerDeps(rds, prefixes, ecds);
    }
    List<FilterChain> chains = new ArrayList<>(proto.getFilterChainsList());
    if (proto.hasDefaultFilterChain()) {
      chains.add(proto.getDefaultFilterChain());
    }
    for (FilterChain fc : chains) {
      for (Filter f : fc.getFiltersList()) {
        if (!f.hasTypedConfig()) {
          continue;
        }
        Any any = normalize.apply(f.getTypedConfig());
        if (!any.getTypeUrl().equals(ListenerResourceType.HCM_TYPE_URL)) {
          continue;
        }
        HttpConnectionManager hcm;
        try {
          hcm = any.unpack(HttpConnectionManager.class);
        } catch (InvalidProtocolBufferException e) {
          continue;
        }
        if (hcm.hasRds()) {
          String name = hcm.getRds().getRouteConfigName();
          rds.putIfAbsent(name, XdsBootstrapInfo.initialFetchTimeout(hcm.getRds().getConfigSource()));
          prefixes.putIfAbsent(name, hcm.getStatPrefix());
        }
        for (HttpFilter hf : hcm.getHttpFiltersList()) {
          if (!hf.hasConfigDiscovery() || hf.getDisabled() || !hf.getConfigDiscovery().getConfigSource().hasAds()) {
            // Configs from a file (path_config_source) are watched by the data plane, not subscribed here.
            continue;
          }
          var cd = hf.getConfigDiscovery();
          boolean warms = !(cd.getApplyDefaultConfigWithoutWarming() && cd.hasDefaultConfig());
          EcdsRef prev = ecds.get(hf.getName());
          List<List<String>> urls = new ArrayList<>(prev == null ? List.of() : prev.typeUrls());
          urls.add(List.copyOf(cd.getTypeUrlsList()));
          ecds.put(hf.getName(), new EcdsRef(
              prev == null ? XdsBootstrapInfo.initialFetchTimeout(cd.getConfigSource()) : prev.timeout(),
              urls, warms || (prev != null && prev.warms())));
        }
      }
    }
    return new ListenerDeps(rds, prefixes, ecds);
  }

  private final ResourceWatcher<RouteTableConfig> routeWatcher = new DependencyWatcher<>();
  private final ResourceWatcher<ExtensionConfig> ecdsWatcher = new DependencyWatcher<>() {
    @Override
    public void onChanged(String name, ExtensionConfig value) {
      ecdsUnpublished.add(value);
      super.onChanged(name, value);
    }
  };

  /**
   * ECDS configs received since the last publish. One replaced before it was ever published (two
   * updates in one turn) never reaches the data plane, which releases only what it was given; it
   * is released here instead, so its Wasm VMs do not leak.
   */
  private final Set<ExtensionConfig> ecdsUnpublished =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  /** RDS and ECDS: any news may complete a warming listener. */
  private class DependencyWatcher<T> implements ResourceWatcher<T> {
    @Override
    public void onChanged(String name, T value) {
      activateReadyListeners();
      schedulePublish();
    }

    @Override
    public void onDoesNotExist(String name) {
      activateReadyListeners();
      schedulePublish();
    }

    @Override
    public void onAmbientError(String name, String error) {
      schedulePublish();
    }
  }

  private void validateExtensionConfig(String name, ExtensionConfig config) throws ResourceInvalidException {
    for (ListenerConfig l : allListeners()) {
      EcdsRef ref = deps(l).ecds().get(name);
      if (ref == null) {
        continue;
      }
      for (List<String> urls : ref.typeUrls()) {
        try {
          ExtensionConfigResourceType.checkTypeUrl(config, urls);
        } catch (ResourceInvalidException e) {
          stats.ecdsConflict(name);
          throw e;
        }
      }
    }
  }

  // --- clusters

  private final class ClusterWatcher implements WildcardWatcher<ClusterConfig> {
    @Override
    public void onChanged(String name, ClusterConfig c) {
      ClusterConfig active = activeClusters.get(name);
      ClusterConfig warming = warmingClusters.get(name);
      if ((warming == null && active != null && active.source().equals(c.source()))
          || (warming != null && warming.source().equals(c.source()))) {
        return;
      }
      LOG.log(System.Logger.Level.INFO, "cds: add/update cluster ''{0}''", name);
      cancelWarmTimer(name);
      if (c.type() != ClusterConfig.DiscoveryType.EDS) {
        warmingClusters.remove(name);
        activeClusters.put(name, c);
        updateEdsSubscriptions();
        schedulePublish();
        return;
      }
      warmingClusters.put(name, c);
      String eds = c.edsServiceName();
      boolean known = edsWatched.contains(eds);
      updateEdsSubscriptions();
      if (known) {
        // A changed cluster needs a fresh response even for an unchanged assignment.
        client.refresh(XdsResourceTypes.ENDPOINT, Set.of(eds));
        Duration timeout = edsTimeout(c);
        if (!timeout.isZero()) {
          clusterWarmTimers.put(name, schedule(() -> clusterWarmTimedOut(name, c), timeout));
        }
      }
      schedulePublish();
    }

    @Override
    public void onDoesNotExist(String name) {
      boolean had = activeClusters.remove(name) != null;
      had |= warmingClusters.remove(name) != null;
      cancelWarmTimer(name);
      if (had) {
        LOG.log(System.Logger.Level.INFO, "cds: remove cluster ''{0}''", name);
        updateEdsSubscriptions();
        checkClustersWarm();
      }
      schedulePublish();
    }

    @Override
    public void onAmbientError(String name, String error) {
      schedulePublish();
    }

    @Override
    public void onUpdateComplete(boolean timedOut) {
      if (!cdsDone) {
        cdsDone = true;
        checkClustersWarm();
      }
      schedulePublish();
    }
  }

  private static Duration edsTimeout(ClusterConfig c) {
    if (c.source() instanceof Cluster proto && proto.getEdsClusterConfig().hasEdsConfig()) {
      return XdsBootstrapInfo.initialFetchTimeout(proto.getEdsClusterConfig().getEdsConfig());
    }
    return XdsBootstrapInfo.DEFAULT_INITIAL_FETCH_TIMEOUT;
  }

  private void cancelWarmTimer(String cluster) {
    ScheduledFuture<?> t = clusterWarmTimers.remove(cluster);
    if (t != null) {
      t.cancel(false);
    }
  }

  // Runs on the xDS context.
  private void clusterWarmTimedOut(String name, ClusterConfig c) {
    clusterWarmTimers.remove(name);
    if (warmingClusters.get(name) == c) {
      LOG.log(System.Logger.Level.WARNING, "cds: cluster ''{0}'': no fresh endpoints within initial_fetch_timeout; "
          + "using the known ones", name);
      stats.edsFetchTimeout(c);
      activateCluster(name);
      checkClustersWarm();
      schedulePublish();
    }
  }

  private void activateCluster(String name) {
    ClusterConfig c = warmingClusters.remove(name);
    if (c != null) {
      activeClusters.put(name, c);
      LOG.log(System.Logger.Level.INFO, "cds: cluster ''{0}'' warmed", name);
    }
  }

  private void updateEdsSubscriptions() {
    Map<String, Duration> wanted = new LinkedHashMap<>();
    Map<String, List<String>> statNames = new HashMap<>();
    List<ClusterConfig> all = new ArrayList<>(activeClusters.values());
    all.addAll(warmingClusters.values());
    for (ClusterConfig c : all) {
      if (c.type() == ClusterConfig.DiscoveryType.EDS) {
        wanted.putIfAbsent(c.edsServiceName(), edsTimeout(c));
        statNames.computeIfAbsent(c.edsServiceName(), k -> new ArrayList<>()).add(c.statName());
      }
    }
    stats.setEdsClusters(statNames);
    sync(XdsResourceTypes.ENDPOINT, edsWatched, wanted, endpointWatcher);
  }

  private final ResourceWatcher<LoadAssignmentConfig> endpointWatcher = new ResourceWatcher<>() {
    @Override
    public void onChanged(String name, LoadAssignmentConfig value) {
      endpointsSettled(name);
    }

    @Override
    public void onDoesNotExist(String name) {
      endpointsSettled(name);
    }

    @Override
    public void onAmbientError(String name, String error) {
      schedulePublish();
    }
  };

  private void endpointsSettled(String edsName) {
    for (String cluster : List.copyOf(warmingClusters.keySet())) {
      if (warmingClusters.get(cluster).edsServiceName().equals(edsName)) {
        cancelWarmTimer(cluster);
        activateCluster(cluster);
      }
    }
    checkClustersWarm();
    schedulePublish();
  }

  /** Envoy starts LDS once the clusters of the initial CDS response have warmed. */
  private void checkClustersWarm() {
    if (cdsDone && warmingClusters.isEmpty()) {
      maybeStartLds();
    }
  }

  private void maybeStartLds() {
    if (ldsStarted) {
      return;
    }
    ldsStarted = true;
    if (info.lds()) {
      client.watchWildcard(XdsResourceTypes.LISTENER, info.ldsInitialFetchTimeout(), new ListenerWatcher());
    } else {
      ldsDone = true;
      checkInitialized();
    }
  }

  private void checkInitialized() {
    if (!initialized && ldsStarted && ldsDone && warmingListeners.isEmpty()) {
      initialized = true;
      LOG.log(System.Logger.Level.INFO, "all dependencies initialized: {0} listeners, {1} clusters",
          activeListeners.size(), activeClusters.size());
      schedulePublish();
    }
  }

  // --- publishing

  private void schedulePublish() {
    if (publishScheduled) {
      return;
    }
    publishScheduled = true;
    try {
      context.execute(() -> {
        publishScheduled = false;
        publish();
      });
    } catch (RejectedExecutionException e) {
      publishScheduled = false;
    }
  }

  // Runs on the xDS context.
  private void releaseUnpublished(Map<String, ExtensionConfig> published) {
    Set<ExtensionConfig> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    kept.addAll(published.values());
    for (ExtensionConfig e : ecdsUnpublished) {
      if (!kept.contains(e)) {
        XdsResourceTypes.EXTENSION_CONFIG.discard(e);
      }
    }
    ecdsUnpublished.clear();
  }

  // Runs on the xDS context.
  private void publish() {
    Map<String, RouteTableConfig> routes = new TreeMap<>();
    for (String name : rdsWatched) {
      RouteTableConfig r = client.get(XdsResourceTypes.ROUTE, name);
      if (r != null) {
        routes.put(name, r);
      }
    }
    Map<String, LoadAssignmentConfig> endpoints = new TreeMap<>();
    for (String name : edsWatched) {
      LoadAssignmentConfig e = client.get(XdsResourceTypes.ENDPOINT, name);
      if (e != null) {
        endpoints.put(name, e);
      }
    }
    Map<String, ExtensionConfig> ecds = new TreeMap<>();
    for (String name : ecdsWatched) {
      ExtensionConfig e = client.get(XdsResourceTypes.EXTENSION_CONFIG, name);
      if (e != null) {
        ecds.put(name, e);
      }
    }
    Map<String, Map<String, ResourceStatus>> statuses = new LinkedHashMap<>();
    Map<String, String> versions = new LinkedHashMap<>();
    for (XdsResourceType<?> t : XdsResourceTypes.IN_ORDER) {
      statuses.put(t.typeUrl(), client.statuses(t));
      versions.put(t.typeUrl(), client.typeVersion(t));
    }
    releaseUnpublished(ecds);
    ConfigSnapshot s = new ConfigSnapshot(activeListeners, warmingListeners, routes, activeClusters, warmingClusters,
        endpoints, ecds, statuses, versions, initialized, clock.instant());
    current = s;
    try {
      listener.onSnapshot(s);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "the snapshot listener failed", e);
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    try {
      return context.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }
}
