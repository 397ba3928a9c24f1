package dev.xdsdp.dataplane.server;

import com.google.protobuf.Any;
import dev.xdsdp.api.registry.ExtensionRegistry;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.accesslog.AccessLogManager;
import dev.xdsdp.dataplane.admin.AdminServer;
import dev.xdsdp.dataplane.admin.ConfigTracker;
import dev.xdsdp.dataplane.admin.StaticConfigDumps;
import dev.xdsdp.dataplane.admin.XdsConfigDumps;
import dev.xdsdp.xds.bootstrap.BootstrapException;
import dev.xdsdp.xds.bootstrap.XdsBootstrapInfo;
import dev.xdsdp.xds.snapshot.FileExtensionConfigSource;
import dev.xdsdp.xds.snapshot.XdsConfigSource;
import dev.xdsdp.dataplane.accesslog.AccessLoggerFactories;
import dev.xdsdp.dataplane.filters.BuiltinExtensions;
import dev.xdsdp.dataplane.filters.wasm.WasmHost;
import dev.xdsdp.dataplane.filters.wasm.WasmServices;
import dev.xdsdp.dataplane.http.FilterChainFactory;
import dev.xdsdp.dataplane.http.FilterConfigHandle;
import dev.xdsdp.dataplane.http.HttpConnectionManager;
import dev.xdsdp.api.network.NetworkFilterFactory;
import dev.xdsdp.dataplane.filters.tcpproxy.TcpProxyFilterFactory;
import dev.xdsdp.dataplane.listener.ActiveListener;
import dev.xdsdp.dataplane.listener.ChainFactories;
import dev.xdsdp.dataplane.network.NetworkFilterChainFactory;
import dev.xdsdp.xds.resource.listener.NetworkFilterConfig;
import dev.xdsdp.dataplane.listener.ListenerManager;
import dev.xdsdp.dataplane.router.SubstitutionHeaderFormatter;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import dev.xdsdp.xds.bootstrap.ConfigParseException;
import dev.xdsdp.xds.bootstrap.TypedStructs;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.resource.cluster.ClusterConfig;
import dev.xdsdp.xds.resource.listener.FilterChainConfig;
import dev.xdsdp.xds.resource.listener.HcmConfig;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import dev.xdsdp.xds.snapshot.ConfigSnapshot;
import dev.xdsdp.xds.resource.XdsResourceTypes;
import dev.xdsdp.xds.snapshot.ExtensionConfig;
import dev.xdsdp.xds.snapshot.ResourceStatus;
import dev.xdsdp.xds.snapshot.StaticResources;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import io.envoyproxy.envoy.config.metrics.v3.TagSpecifier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The running data plane: worker loops, clusters and listeners from the bootstrap, then whatever
 * the control plane sends as {@link ConfigSnapshot}s. One main thread applies every change (Envoy's
 * main thread); event loops read the current snapshot through one volatile reference, and a stream
 * keeps what it started with.
 */
public final class Server implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("main");

  /**
   * How to run.
   *
   * @param concurrency number of worker event loops
   * @param anyNormalizer turns TypedStruct-wrapped configs into real ones (identity when none)
   * @param drainTime how long removed or changed listeners drain ({@code --drain-time-s})
   */
  public record Settings(int concurrency, Node node, UnaryOperator<Any> anyNormalizer, Duration drainTime) {
    public Settings(int concurrency, Node node, UnaryOperator<Any> anyNormalizer) {
      this(concurrency, node, anyNormalizer, Duration.ofSeconds(600));
    }
  }

  private final Vertx vertx;
  private final WorkerLoops loops;
  private final ClusterManager clusters;
  private final ListenerManager listeners;
  private final WasmHost wasm;
  private final StatsScope stats;
  private final ExtensionRegistry registry;
  private final Settings settings;
  private final Bootstrap bootstrap;
  private final ExecutorService main;
  private final Instant startTime = Instant.now();
  private final Map<String, FilterConfigHandle> ecds = new ConcurrentHashMap<>();
  private final CountDownLatch live = new CountDownLatch(1);
  private final Gauge stateGauge;
  private final Gauge liveGauge;
  private volatile ConfigSnapshot snapshot = ConfigSnapshot.EMPTY;
  private volatile ServerState state = ServerState.PRE_INITIALIZING;
  private volatile boolean healthCheckFailed;
  private volatile List<ConfigIssues.Issue> issues = List.of();
  private StaticResources staticResources;
  private AccessLogManager accessLogFiles;
  private Options options = Options.defaults();
  private AdminServer admin;
  private final ConfigTracker configTracker = new ConfigTracker();
  private volatile Runnable shutdownHook;
  private long statsFlushTimer = -1;
  private ServerAdminContext adminContext;
  private XdsConfigSource xds;
  private final List<FileExtensionConfigSource> fileSources = new ArrayList<>();
  private final java.util.Set<String> fileEcdsNames = ConcurrentHashMap.newKeySet();
  private final Map<String, RouteTableConfig> retiredRoutes = new ConcurrentHashMap<>();
  private final Map<String, FilterConfigHandle> retiredEcds = new ConcurrentHashMap<>();
  /** Retired configs outlive the drain time by this much: the drain starts once listeners are applied. */
  private static final long RETIRE_MARGIN_MS = 5000;
  private WasmServices services = WasmServices.none();

  private Server(Vertx vertx, WorkerLoops loops, StatsScope stats, Function<ClusterManager, ExtensionRegistry> registryFactory,
      Settings settings, Bootstrap bootstrap) {
    this.vertx = vertx;
    this.loops = loops;
    this.stats = stats;
    this.settings = settings;
    this.bootstrap = bootstrap;
    this.clusters = new ClusterManager(vertx, stats);
    this.registry = registryFactory.apply(clusters);
    this.listeners = new ListenerManager(loops, stats, new ChainFactories() {
      @Override
      public HttpConnectionManager http(ListenerConfig l, FilterChainConfig fc) {
        return connectionManager(l, fc);
      }

      @Override
      public NetworkFilterChainFactory tcp(ListenerConfig l, FilterChainConfig fc) {
        return networkFilters(fc);
      }
    }, settings.drainTime());
    this.wasm = WasmHost.attach(registry, new WasmHost.Services(stats, settings.node(), loops, clusters, bootstrap,
        name -> java.util.Optional.ofNullable(listeners.get(name)).map(ActiveListener::config).orElse(null)));
    this.main = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "main");
      t.setDaemon(true);
      return t;
    });
    StatsScope server = stats.scope("server");
    this.stateGauge = server.gauge("state");
    this.liveGauge = server.gauge("live");
    server.gauge("concurrency").set(settings.concurrency());
    setState(ServerState.PRE_INITIALIZING);
  }

  /**
   * Starts the data plane for a loaded bootstrap with the command line's settings: the stats store
   * from {@code stats_config}, the access log files, the built-in extensions, then {@link #start}.
   */
  public static Server start(Bootstrap bootstrap, Options options) throws ServerException {
    Node node = localNode(bootstrap, options);
    StatsStore stats;
    try {
      stats = StatsStore.create(statsConfig(bootstrap, options));
    } catch (RuntimeException e) {
      throw new ServerException("stats_config: " + e.getMessage(), e);
    }
    AccessLogManager files = new AccessLogManager(options.fileFlushInterval(), stats);
    int concurrency = options.concurrency() > 0 ? options.concurrency() : Runtime.getRuntime().availableProcessors();
    try {
      Server server = start(bootstrap, new Settings(concurrency, node, Server::normalize, options.drainTime()), stats,
          cm -> builtinRegistry(cm, files), options);
      server.accessLogFiles = files;
      return server;
    } catch (ServerException e) {
      files.close();
      throw e;
    }
  }

  /** The extension registry with every built-in extension. */
  public static ExtensionRegistry builtinRegistry(ClusterManager clusters, AccessLogManager files) {
    return BuiltinExtensions.create(clusters, new SubstitutionHeaderFormatter(), AccessLoggerFactories.create(files));
  }

  /** TypedStruct-wrapped configs become the message they describe; others are unchanged. */
  public static Any normalize(Any any) {
    try {
      return TypedStructs.unwrap(any, "xds");
    } catch (ConfigParseException e) {
      return any;
    }
  }

  /** The bootstrap's node with the command line's overrides, as Envoy's LocalInfo. */
  public static Node localNode(Bootstrap bootstrap, Options options) {
    Node.Builder n = bootstrap.getNode().toBuilder();
    if (!options.serviceNode().isEmpty()) {
      n.setId(options.serviceNode());
    }
    if (!options.serviceCluster().isEmpty()) {
      n.setCluster(options.serviceCluster());
    }
    if (!options.serviceZone().isEmpty()) {
      n.setLocality(Locality.newBuilder(n.getLocality()).setZone(options.serviceZone()));
    }
    if (n.getUserAgentName().isEmpty()) {
      n.setUserAgentName("xdsdp");
    }
    return n.build();
  }

  /** The bootstrap's stats config plus {@code --stats-tag} fixed tags. */
  public static StatsConfig statsConfig(Bootstrap bootstrap, Options options) {
    StatsConfig.Builder b = bootstrap.getStatsConfig().toBuilder();
    for (Options.StatsTag t : options.statsTags()) {
      b.addStatsTags(TagSpecifier.newBuilder().setTagName(t.name()).setFixedValue(t.value()));
    }
    return b.build();
  }

  /**
   * Validates the static resources, then starts loops, static clusters and static listeners. On any
   * error nothing keeps running and the exception lists every problem. Without
   * {@code dynamic_resources} the server is LIVE when this returns; with them, listeners start once
   * the first snapshot marked initialized has been applied.
   *
   * @param registryFactory makes the extension registry once the cluster manager exists (the
   *     router needs it)
   */
  public static Server start(
      Bootstrap bootstrap, Settings settings, StatsScope stats, Function<ClusterManager, ExtensionRegistry> registryFactory)
      throws ServerException {
    return start(bootstrap, settings, stats, registryFactory, Options.defaults());
  }

  private static Server start(
      Bootstrap bootstrap, Settings settings, StatsScope stats, Function<ClusterManager, ExtensionRegistry> registryFactory,
      Options options) throws ServerException {
    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(settings.concurrency())
        .setPreferNativeTransport(true));
    Server server = null;
    try {
      WorkerLoops loops = await(WorkerLoops.start(vertx, settings.concurrency()), "start worker loops");
      server = new Server(vertx, loops, stats, registryFactory, settings, bootstrap);
      server.options = options;
      server.startAdmin();
      server.startStatsFlush();
      server.startStatic();
      return server;
    } catch (ServerException | RuntimeException e) {
      if (server != null) {
        server.close();
      } else {
        vertx.close();
      }
      if (e instanceof ServerException se) {
        throw se;
      }
      throw new ServerException(String.valueOf(e.getMessage()), e);
    }
  }

  /** The admin server on {@code admin.address}, up before any listener (as Envoy's). */
  private void startAdmin() throws ServerException {
    ServerAdminContext ctx = new ServerAdminContext(this, options);
    adminContext = ctx;
    StaticConfigDumps.register(configTracker, ctx);
    if (!bootstrap.hasAdmin() || !bootstrap.getAdmin().hasAddress()) {
      return;
    }
    admin = await(AdminServer.start(vertx, ctx, configTracker, bootstrap.getAdmin().getAddress()), "admin server");
    LOG.log(System.Logger.Level.INFO, "admin address: {0}", admin.addressString());
  }

  /** Every {@code stats_flush_interval} (5 s): merge histograms and refresh the server gauges. */
  private void startStatsFlush() {
    long ms = bootstrap.hasStatsFlushInterval()
        ? Math.max(1, dev.xdsdp.xds.resource.ProtoValues.duration(bootstrap.getStatsFlushInterval()).toMillis())
        : 5000;
    StatsScope server = stats.scope("server");
    Gauge uptime = server.gauge("uptime");
    Gauge allocated = server.gauge("memory_allocated");
    Gauge heap = server.gauge("memory_heap_size");
    Runnable flush = () -> {
      Runtime rt = Runtime.getRuntime();
      uptime.set(Duration.between(startTime, Instant.now()).toSeconds());
      allocated.set(rt.totalMemory() - rt.freeMemory());
      heap.set(rt.totalMemory());
      if (stats instanceof StatsStore store) {
        store.mergeHistograms();
      }
    };
    flush.run();
    statsFlushTimer = vertx.setPeriodic(ms, id -> main.execute(flush));
  }

  /** The admin server, or null when the bootstrap has none. */
  public AdminServer admin() {
    return admin;
  }

  public ConfigTracker configTracker() {
    return configTracker;
  }

  /** What {@code /quitquitquit} runs (Main exits the process); by default the server just closes. */
  public void onShutdownRequested(Runnable hook) {
    this.shutdownHook = hook;
  }

  void requestShutdown() {
    Runnable hook = shutdownHook;
    if (hook != null) {
      hook.run();
    } else {
      new Thread(this::close, "shutdown").start();
    }
  }

  private void startStatic() throws ServerException {
    ConfigIssues parseIssues = new ConfigIssues();
    ParseContext ctx = new ParseContext(registry, stats, settings.node(), true, parseIssues, settings.anyNormalizer(),
        ConfigValidator.HEADER_VALUES);
    StaticResources resources = StaticResources.parse(bootstrap, ctx);
    if (!resources.errors().isEmpty()) {
      StringBuilder sb = new StringBuilder();
      for (ResourceInvalidException e : resources.errors()) {
        if (sb.length() > 0) {
          sb.append('\n');
        }
        sb.append(e.describe());
      }
      throw new ServerException(sb.toString());
    }
    for (ConfigIssues.Issue issue : resources.issues()) {
      LOG.log(System.Logger.Level.WARNING, "not supported, ignored: {0}", issue);
    }
    this.issues = resources.issues();
    this.staticResources = resources;
    for (ClusterConfig c : resources.clusters().values()) {
      clusters.addStatic(c);
    }
    startFileExtensionConfigs(resources.listeners().values());
    // Wasm services start once the static clusters exist (their callouts need them), before any
    // listener accepts, as Envoy's bootstrap extensions do when the server is initialized.
    try {
      services = WasmServices.start(bootstrap, settings.anyNormalizer(), wasm);
    } catch (dev.xdsdp.api.filter.FilterConfigException e) {
      throw new ServerException(e.getMessage(), e);
    }
    for (WasmServices.Skipped s : WasmServices.skipped(bootstrap, settings.anyNormalizer())) {
      LOG.log(System.Logger.Level.WARNING, "not supported, ignored: bootstrap: bootstrap_extensions[{0}]: {1} ({2})",
          s.index(), s.name(), s.typeUrl());
    }
    setState(ServerState.INITIALIZING);
    if (!bootstrap.hasDynamicResources()) {
      startListeners();
      return;
    }
    XdsBootstrapInfo info;
    try {
      info = XdsBootstrapInfo.from(bootstrap).orElseThrow();
    } catch (BootstrapException e) {
      throw new ServerException(e.getMessage(), e);
    }
    XdsConfigDumps.register(configTracker, adminContext, () -> snapshot);
    Node node = settings.node();
    // The xDS client calls back on its own thread; applying waits so snapshots land in order.
    xds = XdsConfigSource.start(info, node,
        issues -> new ParseContext(registry, stats, node, false, issues, settings.anyNormalizer(), ConfigValidator.HEADER_VALUES),
        stats,
        next -> {
          try {
            applySnapshot(next).get(120, TimeUnit.SECONDS);
          } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "applying a control plane snapshot failed: {0}", e.toString());
          }
        });
  }

  /**
   * Watches the files of {@code path_config_source} extension configs named by the static
   * listeners (Envoy's filesystem ECDS): each change swaps the filter configs for new streams, as an
   * ECDS push does. The first read happens now, so listeners start with their configs.
   */
  private void startFileExtensionConfigs(java.util.Collection<ListenerConfig> staticListeners) {
    Map<String, Map<String, List<String>>> byPath = new java.util.LinkedHashMap<>();
    for (ListenerConfig l : staticListeners) {
      for (FilterChainConfig fc : l.allFilterChains()) {
        if (fc.hcm() == null) {
          continue; // a tcp_proxy chain: its network filters are not discovered by ECDS here
        }
        for (var f : fc.hcm().httpFilters()) {
          if (f.discovery() != null && f.discovery().path() != null) {
            byPath.computeIfAbsent(f.discovery().path(), p -> new java.util.LinkedHashMap<>())
                .put(f.name(), f.discovery().typeUrls());
          }
        }
      }
    }
    Node node = settings.node();
    for (var e : byPath.entrySet()) {
      Map<String, List<String>> filters = e.getValue();
      fileEcdsNames.addAll(filters.keySet());
      fileSources.add(FileExtensionConfigSource.start(java.nio.file.Path.of(e.getKey()),
          issues -> new ParseContext(registry, stats, node, false, issues, settings.anyNormalizer(), ConfigValidator.HEADER_VALUES),
          update -> applyFileExtensionConfigs(e.getKey(), filters, update), Duration.ofMillis(500)));
    }
  }

  private synchronized void applyFileExtensionConfigs(
      String path, Map<String, List<String>> filters, FileExtensionConfigSource.Update update) {
    StatsScope ecdsStats = stats.scope("extension_config_discovery").scope("http_filter");
    if (update.error() != null) {
      filters.keySet().forEach(name -> ecdsStats.scope(name).counter("config_fail").inc());
      return;
    }
    for (ExtensionConfig ext : update.configs().values()) {
      List<String> allowed = filters.get(ext.name());
      if (allowed == null || !allowed.contains(ext.typeUrl())) {
        LOG.log(System.Logger.Level.WARNING, "{0}: extension config ''{1}'' rejected: {2}", path, ext.name(),
            allowed == null ? "no filter of this file has that name"
                : "Error: filter config has type URL " + ext.typeUrl().substring(ext.typeUrl().lastIndexOf('/') + 1)
                    + " but expect " + String.join(", ", allowed) + ".");
        ecdsStats.scope(ext.name()).counter("config_fail").inc();
        ext.factory().release();
        continue;
      }
      FilterConfigHandle old = ecds.put(ext.name(), new FilterConfigHandle(ext.factory()));
      if (old != null) {
        old.release();
      }
      ecdsStats.scope(ext.name()).counter("config_reload").inc();
      LOG.log(System.Logger.Level.INFO, "extension config ''{0}'' version {1} from {2}", ext.name(), update.version(), path);
    }
  }

  /** Binds the static listeners and goes LIVE (after the initial xDS fetch when there is one). */
  private void startListeners() throws ServerException {
    for (ListenerConfig l : staticResources.listeners().values()) {
      await(listeners.addStatic(l), "listener '" + l.name() + "'");
    }
    listeners.markWorkersStarted();
    setState(ServerState.LIVE);
    live.countDown();
    LOG.log(System.Logger.Level.INFO, "all listeners started; server live");
  }

  private void setState(ServerState s) {
    state = s;
    stateGauge.set(s.value());
    liveGauge.set(s == ServerState.LIVE ? 1 : 0);
  }

  /** The connection manager of one HTTP filter chain, reading RDS and ECDS from the live snapshot. */
  private HttpConnectionManager connectionManager(ListenerConfig l, FilterChainConfig fc) {
    HcmConfig hcm = fc.hcm();
    Supplier<RouteTableConfig> routes = hcm.routeTable() != null
        ? hcm::routeTable
        : () -> routeTable(hcm.rdsName());
    return new HttpConnectionManager(hcm, l.name(), l.statPrefix(), routes,
        new FilterChainFactory(hcm.httpFilters(), this::filterConfig), stats, bufferLimit(l.perConnectionBufferLimitBytes()));
  }

  /**
   * The RDS route table named {@code name}: as the snapshot publishes it, else as it was last
   * published if it left the snapshot less than a drain time ago. A listener updated in place no
   * longer subscribes to its old table, but its connections drain with it, as Envoy's draining
   * connection manager keeps its route config provider (and Envoy ignores the removal of a table
   * that a listener still names).
   */
  private RouteTableConfig routeTable(String name) {
    RouteTableConfig published = snapshot.routeConfigs().get(name);
    return published != null ? published : retiredRoutes.get(name);
  }

  /**
   * The ECDS filter config named {@code name}: the current one, else one that no listener names
   * any more, for one drain time. A listener updated in place stops subscribing to the filter
   * configs only its old filter chains named, but those chains drain with them, as Envoy's
   * draining filter chains keep their config providers.
   */
  private FilterConfigHandle filterConfig(String name) {
    FilterConfigHandle current = ecds.get(name);
    return current != null ? current : retiredEcds.get(name);
  }

  private void retireFilterConfig(String name, FilterConfigHandle handle) {
    FilterConfigHandle older = retiredEcds.put(name, handle);
    if (older != null) {
      older.release();
    }
    vertx.setTimer(Math.max(1, settings.drainTime().toMillis()) + RETIRE_MARGIN_MS, t -> {
      if (retiredEcds.remove(name, handle)) {
        handle.release();
      }
    });
  }

  /** Keeps the route tables {@code next} drops for one drain time (see {@link #routeTable}). */
  private void retireRoutesDroppedBy(ConfigSnapshot next) {
    for (Map.Entry<String, RouteTableConfig> e : snapshot.routeConfigs().entrySet()) {
      if (!next.routeConfigs().containsKey(e.getKey())) {
        retiredRoutes.put(e.getKey(), e.getValue());
        vertx.setTimer(Math.max(1, settings.drainTime().toMillis()) + RETIRE_MARGIN_MS,
            t -> retiredRoutes.remove(e.getKey(), e.getValue()));
      }
    }
  }

  /** Forgets the retired tables that {@link #snapshot} publishes again (after it is current). */
  private void unretireRoutesPublished() {
    snapshot.routeConfigs().keySet().forEach(retiredRoutes::remove);
  }

  /** A uint32 limit as an int: 0 (Envoy: no watermarks) and anything past int's range mean unlimited. */
  static int bufferLimit(int perConnectionBufferLimitBytes) {
    return perConnectionBufferLimitBytes <= 0 ? Integer.MAX_VALUE : perConnectionBufferLimitBytes;
  }

  /** The network filters of one TCP filter chain: its own, then the TCP proxy. */
  private NetworkFilterChainFactory networkFilters(FilterChainConfig fc) {
    List<NetworkFilterFactory> factories = new ArrayList<>();
    for (NetworkFilterConfig nf : fc.networkFilters()) {
      factories.add(nf.factory());
    }
    factories.add(new TcpProxyFilterFactory(fc.tcpProxy(), clusters, stats));
    return new NetworkFilterChainFactory(factories);
  }

  /**
   * Applies a control plane snapshot on the main thread: ECDS configs and route tables become
   * visible to new streams, clusters and endpoints are updated, then listeners (make before break).
   * The returned future completes when new listeners are bound.
   */
  public java.util.concurrent.CompletableFuture<Void> applySnapshot(ConfigSnapshot next) {
    return java.util.concurrent.CompletableFuture.runAsync(() -> {
      List<FilterConfigHandle> replaced = new ArrayList<>();
      // Each handle is in the new map before it leaves the old one: event loops look names up
      // meanwhile (filterConfig).
      for (ExtensionConfig ext : next.extensionConfigs().values()) {
        FilterConfigHandle cur = ecds.get(ext.name());
        if (cur == null || cur.factory() != ext.factory()) {
          FilterConfigHandle old = ecds.put(ext.name(), new FilterConfigHandle(ext.factory()));
          if (old != null) {
            replaced.add(old);
          }
        }
        FilterConfigHandle retired = retiredEcds.remove(ext.name());
        if (retired != null) {
          replaced.add(retired); // subscribed again: a fresh parse, the retired one is done
        }
      }
      Map<String, ResourceStatus> ecdsSubscribed = next.statuses(XdsResourceTypes.EXTENSION_CONFIG.typeUrl());
      for (Map.Entry<String, FilterConfigHandle> e : List.copyOf(ecds.entrySet())) {
        String name = e.getKey();
        if (!next.extensionConfigs().containsKey(name) && !fileEcdsNames.contains(name)) {
          if (ecdsSubscribed.containsKey(name)) {
            ecds.remove(name, e.getValue());
            replaced.add(e.getValue()); // removed by the control plane: the default config or NFCF, as Envoy
          } else {
            retireFilterConfig(name, e.getValue()); // no listener names it any more: drained with its chains
            ecds.remove(name, e.getValue());
          }
        }
      }
      retireRoutesDroppedBy(next);
      snapshot = next;
      unretireRoutesPublished();
      // The old configs are no longer current: their last stream releases them.
      replaced.forEach(FilterConfigHandle::release);
      clusters.applyDynamic(next.clusters(), next.endpoints());
      try {
        if (state != ServerState.LIVE && next.initialized()) {
          listeners.applyDynamic(next.listeners()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
          startListeners();
        } else if (state == ServerState.LIVE) {
          listeners.applyDynamic(next.listeners()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        LOG.log(System.Logger.Level.WARNING, "applying listeners failed: {0}", e.toString());
      }
    }, main);
  }

  static <T> T await(Future<T> f, String what) throws ServerException {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new ServerException(what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (Exception e) {
      throw new ServerException(what + ": " + e, e);
    }
  }

  /** Waits until the server is LIVE; false on timeout. */
  public boolean awaitLive(Duration timeout) throws InterruptedException {
    return live.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The bound port of a listener (useful with port 0), or -1. */
  public int listenerPort(String name) {
    ActiveListener l = listeners.get(name);
    return l == null ? -1 : l.port();
  }

  public Map<String, ActiveListener> listeners() {
    return listeners.listeners();
  }

  public ListenerManager listenerManager() {
    return listeners;
  }

  public ClusterManager clusterManager() {
    return clusters;
  }

  /** The bootstrap's running Wasm services. */
  public WasmServices wasmServices() {
    return services;
  }

  /** The proxy-wasm host of this server (its runtime starts on first use). */
  public WasmHost wasmHost() {
    return wasm;
  }

  public StatsScope stats() {
    return stats;
  }

  public ExtensionRegistry registry() {
    return registry;
  }

  public Vertx vertx() {
    return vertx;
  }

  public WorkerLoops loops() {
    return loops;
  }

  public Bootstrap bootstrap() {
    return bootstrap;
  }

  public Settings settings() {
    return settings;
  }

  public Instant startTime() {
    return startTime;
  }

  public ServerState state() {
    return state;
  }

  /** The control plane's config as last applied (EMPTY without xDS). */
  public ConfigSnapshot snapshot() {
    return snapshot;
  }

  /** The bootstrap's static resources as parsed. */
  public StaticResources staticResources() {
    return staticResources;
  }

  /** The current ECDS config handles by name (for tests and admin). */
  public Map<String, FilterConfigHandle> extensionConfigHandles() {
    return Map.copyOf(ecds);
  }

  /** What the bootstrap asks for that is not supported (logged as warnings at start). */
  public List<ConfigIssues.Issue> issues() {
    return issues;
  }

  public boolean healthCheckFailed() {
    return healthCheckFailed;
  }

  /** {@code /healthcheck/fail} and {@code /healthcheck/ok}. */
  public void setHealthCheckFailed(boolean failed) {
    this.healthCheckFailed = failed;
  }

  /**
   * Starts draining listeners ({@code /drain_listeners}): all of them, or only those with
   * {@code traffic_direction: INBOUND}. Draining all moves the server to DRAINING.
   */
  public void drainListeners(Duration drainTime, boolean inboundOnly) {
    if (!inboundOnly) {
      setState(ServerState.DRAINING);
    }
    listeners.drain(drainTime, inboundOnly);
  }

  public AccessLogManager accessLogFiles() {
    return accessLogFiles;
  }

  @Override
  public void close() {
    if (xds != null) {
      xds.close();
    }
    fileSources.forEach(FileExtensionConfigSource::close);
    if (statsFlushTimer >= 0) {
      vertx.cancelTimer(statsFlushTimer);
    }
    if (admin != null) {
      admin.close();
    }
    try {
      listeners.stopAll(Duration.ZERO).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "listeners did not stop cleanly: {0}", e.toString());
    }
    main.shutdownNow();
    clusters.close();
    for (FilterConfigHandle h : ecds.values()) {
      h.release();
    }
    ecds.clear();
    for (String name : List.copyOf(retiredEcds.keySet())) {
      FilterConfigHandle h = retiredEcds.remove(name);
      if (h != null) {
        h.release();
      }
    }
    services.close();
    wasm.close();
    if (accessLogFiles != null) {
      accessLogFiles.close();
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "event loops did not stop cleanly: {0}", e.toString());
    }
  }
}
