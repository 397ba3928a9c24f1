package dev.xdsdp.dataplane.server;

import com.google.protobuf.Any;
import dev.xdsdp.api.registry.ExtensionRegistry;
import dev.xdsdp.dataplane.accesslog.AccessLogManager;
import dev.xdsdp.dataplane.accesslog.AccessLoggerFactories;
import dev.xdsdp.dataplane.filters.BuiltinExtensions;
import dev.xdsdp.dataplane.router.SubstitutionHeaderFormatter;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.xds.bootstrap.ConfigParseException;
import dev.xdsdp.xds.bootstrap.TypedStructs;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import io.envoyproxy.envoy.config.metrics.v3.TagSpecifier;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.http.FilterChainFactory;
import dev.xdsdp.dataplane.http.HttpConnectionManager;
import dev.xdsdp.dataplane.listener.ActiveListener;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.resource.cluster.ClusterConfig;
import dev.xdsdp.xds.resource.listener.FilterChainConfig;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import dev.xdsdp.xds.snapshot.StaticResources;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The running data plane: worker loops, clusters and listeners built from a bootstrap. Start with
 * {@link #start}; {@link #close} stops listeners, then clusters, then the event loops.
 */
public final class Server implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("main");

  /**
   * How to run.
   *
   * @param concurrency number of worker event loops
   * @param anyNormalizer turns TypedStruct-wrapped configs into real ones (identity when none)
   */
  public record Settings(int concurrency, Node node, UnaryOperator<Any> anyNormalizer) {}

  private final Vertx vertx;
  private final WorkerLoops loops;
  private AccessLogManager accessLogFiles;
  private final ClusterManager clusters;
  private final StatsScope stats;
  private final Map<String, ActiveListener> listeners = new LinkedHashMap<>();
  private final List<ConfigIssues.Issue> issues;

  private Server(Vertx vertx, WorkerLoops loops, ClusterManager clusters, StatsScope stats, List<ConfigIssues.Issue> issues) {
    this.vertx = vertx;
    this.loops = loops;
    this.clusters = clusters;
    this.stats = stats;
    this.issues = issues;
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
      Server server = start(bootstrap, new Settings(concurrency, node, Server::normalize), stats,
          cm -> builtinRegistry(cm, files));
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
   * Validates the static resources, then starts loops, clusters and listeners. On any error nothing
   * keeps running and the exception lists every problem.
   *
   * @param registryFactory makes the extension registry once the cluster manager exists (the
   *     router needs it)
   */
  public static Server start(
      Bootstrap bootstrap, Settings settings, StatsScope stats, Function<ClusterManager, ExtensionRegistry> registryFactory)
      throws ServerException {
    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(settings.concurrency())
        .setPreferNativeTransport(true));
    try {
      WorkerLoops loops = await(WorkerLoops.start(vertx, settings.concurrency()), "start worker loops");
      ClusterManager clusters = new ClusterManager(vertx, stats);
      ExtensionRegistry registry = registryFactory.apply(clusters);
      ConfigIssues issues = new ConfigIssues();
      ParseContext ctx = new ParseContext(registry, stats, settings.node(), true, issues, settings.anyNormalizer());
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
      Server server = new Server(vertx, loops, clusters, stats, resources.issues());
      for (ClusterConfig c : resources.clusters().values()) {
        clusters.addOrUpdate(c);
      }
      for (ListenerConfig l : resources.listeners().values()) {
        server.addListener(l);
      }
      return server;
    } catch (ServerException e) {
      vertx.close();
      throw e;
    } catch (RuntimeException e) {
      vertx.close();
      throw new ServerException(e.getMessage(), e);
    }
  }

  private void addListener(ListenerConfig l) throws ServerException {
    Function<FilterChainConfig, HttpConnectionManager> hcmFactory = fc -> new HttpConnectionManager(
        fc.hcm(), l.name(), l.statPrefix(), fc.hcm()::routeTable,
        new FilterChainFactory(fc.hcm().httpFilters(), name -> null), stats);
    ActiveListener active = new ActiveListener(l, loops, stats, hcmFactory);
    await(active.start(), "listener '" + l.name() + "'");
    listeners.put(l.name(), active);
    LOG.log(System.Logger.Level.INFO, "listener ''{0}'' listening on {1}:{2}", l.name(), l.address().host(),
        Integer.toString(active.port()));
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

  /** The bound port of a listener (useful with port 0), or -1. */
  public int listenerPort(String name) {
    ActiveListener l = listeners.get(name);
    return l == null ? -1 : l.port();
  }

  public Map<String, ActiveListener> listeners() {
    return Map.copyOf(listeners);
  }

  public ClusterManager clusterManager() {
    return clusters;
  }

  public StatsScope stats() {
    return stats;
  }

  public Vertx vertx() {
    return vertx;
  }

  public WorkerLoops loops() {
    return loops;
  }

  /** What the bootstrap asks for that is not supported (logged as warnings at start). */
  public List<ConfigIssues.Issue> issues() {
    return issues;
  }

  @Override
  public void close() {
    List<Future<Void>> stops = new ArrayList<>();
    for (ActiveListener l : listeners.values()) {
      stops.add(l.stop());
    }
    try {
      Future.all(stops).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "listeners did not stop cleanly: {0}", e.toString());
    }
    clusters.close();
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
