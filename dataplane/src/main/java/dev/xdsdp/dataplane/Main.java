package dev.xdsdp.dataplane;

import com.google.protobuf.Any;
import dev.xdsdp.api.registry.ExtensionRegistry;
import dev.xdsdp.dataplane.accesslog.AccessLogManager;
import dev.xdsdp.dataplane.accesslog.AccessLoggerFactories;
import dev.xdsdp.dataplane.filters.BuiltinExtensions;
import dev.xdsdp.dataplane.router.SubstitutionHeaderFormatter;
import dev.xdsdp.dataplane.server.CommandLine;
import dev.xdsdp.dataplane.server.CommandLineException;
import dev.xdsdp.dataplane.server.ConfigValidator;
import dev.xdsdp.dataplane.server.Logging;
import dev.xdsdp.dataplane.server.Options;
import dev.xdsdp.dataplane.server.Server;
import dev.xdsdp.dataplane.server.ServerException;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.xds.bootstrap.BootstrapException;
import dev.xdsdp.xds.bootstrap.BootstrapLoader;
import dev.xdsdp.xds.bootstrap.ConfigParseException;
import dev.xdsdp.xds.bootstrap.LoadedBootstrap;
import dev.xdsdp.xds.bootstrap.TypedStructs;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import io.envoyproxy.envoy.config.metrics.v3.TagSpecifier;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** {@code dataplane}: Envoy's command line, then validate or serve the bootstrap. */
public final class Main {

  private static final System.Logger LOG = System.getLogger("main");

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs to completion (serve mode blocks until shutdown) and returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      CommandLine.Parsed parsed = CommandLine.parse(args);
      if (parsed instanceof CommandLine.Parsed.Print p) {
        out.print(p.text());
        out.flush();
        return 0;
      }
      options = ((CommandLine.Parsed.Run) parsed).options();
    } catch (CommandLineException e) {
      err.println(e.getMessage());
      err.println(e.usageHint());
      return CommandLineException.EXIT_CODE;
    }
    try {
      Logging.configure(options);
    } catch (IOException e) {
      err.println("error: cannot open log file '" + options.logPath() + "': " + e.getMessage());
      return 1;
    }
    LoadedBootstrap loaded;
    try {
      loaded = BootstrapLoader.load(options.configFile(), options.configYaml(), options.allowUnknownStaticFields());
    } catch (BootstrapException e) {
      err.println("error initializing configuration '" + options.configPath() + "': " + e.getMessage());
      return 1;
    }
    loaded.log(System.getLogger("config"), options.skipDeprecatedLogs());
    Logging.applyApplicationLogConfig(loaded.bootstrap().getApplicationLogConfig(), options.logFormatSet(),
        options.logFormatEscaped());
    Bootstrap bootstrap = loaded.bootstrap();
    Node node = node(bootstrap, options);
    UnaryOperator<Any> normalizer = any -> {
      try {
        return TypedStructs.unwrap(any, options.configPath());
      } catch (ConfigParseException e) {
        return any;
      }
    };
    StatsStore stats;
    try {
      stats = StatsStore.create(statsConfig(bootstrap, options));
    } catch (RuntimeException e) {
      err.println("error initializing configuration '" + options.configPath() + "': stats_config: " + e.getMessage());
      return 1;
    }
    AccessLogManager accessLogFiles = new AccessLogManager(options.fileFlushInterval(), stats);
    Function<dev.xdsdp.dataplane.upstream.ClusterManager, ExtensionRegistry> registry =
        cm -> BuiltinExtensions.create(cm, new SubstitutionHeaderFormatter(), AccessLoggerFactories.create(accessLogFiles));

    if (options.mode() == Options.Mode.VALIDATE) {
      ConfigValidator.Report report = ConfigValidator.validate(bootstrap, registry.apply(null), stats, node, normalizer);
      for (String e : report.errors()) {
        out.println("error: " + e);
      }
      for (String u : report.unsupported()) {
        out.println("unsupported: " + u);
      }
      String name = options.configPath().isEmpty() ? "--config-yaml" : options.configPath();
      accessLogFiles.close();
      if (report.ok()) {
        out.println("configuration '" + name + "' OK");
        return 0;
      }
      out.println("configuration '" + name + "' has " + report.errors().size() + " error(s) and "
          + report.unsupported().size() + " unsupported setting(s)");
      return 1;
    }

    int concurrency = options.concurrency() > 0 ? options.concurrency() : Runtime.getRuntime().availableProcessors();
    Server server;
    try {
      server = Server.start(bootstrap, new Server.Settings(concurrency, node, normalizer), stats, registry);
    } catch (ServerException e) {
      accessLogFiles.close();
      err.println("error initializing configuration '" + options.configPath() + "': " + e.getMessage());
      return 1;
    }
    if (options.mode() == Options.Mode.INIT_ONLY) {
      server.close();
      accessLogFiles.close();
      return 0;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.log(System.Logger.Level.INFO, "shutting down");
      server.close();
      accessLogFiles.close();
      stopped.countDown();
    }, "shutdown"));
    LOG.log(System.Logger.Level.INFO, "starting workers");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** The bootstrap's node with the command line's overrides, as Envoy's LocalInfo. */
  static Node node(Bootstrap bootstrap, Options options) {
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
  static StatsConfig statsConfig(Bootstrap bootstrap, Options options) {
    StatsConfig.Builder b = bootstrap.getStatsConfig().toBuilder();
    for (Options.StatsTag t : options.statsTags()) {
      b.addStatsTags(TagSpecifier.newBuilder().setTagName(t.name()).setFixedValue(t.value()));
    }
    return b.build();
  }
}
