package dev.xdsdp.dataplane;

import dev.xdsdp.dataplane.accesslog.AccessLogManager;
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
import dev.xdsdp.xds.bootstrap.LoadedBootstrap;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

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

    if (options.mode() == Options.Mode.VALIDATE) {
      AccessLogManager accessLogFiles = new AccessLogManager(options.fileFlushInterval(), null);
      ConfigValidator.Report report = ConfigValidator.validate(bootstrap, Server.builtinRegistry(null, accessLogFiles),
          new StatsStore(), Server.localNode(bootstrap, options), Server::normalize);
      for (String e : report.errors()) {
        out.println("error: " + e);
      }
      for (String u : report.unsupported()) {
        out.println("unsupported: " + u);
      }
      for (String w : report.warnings()) {
        out.println("warning: " + w);
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

    Server server;
    try {
      server = Server.start(bootstrap, options);
    } catch (ServerException e) {
      err.println("error initializing configuration '" + options.configPath() + "': " + e.getMessage());
      return 1;
    }
    if (options.mode() == Options.Mode.INIT_ONLY) {
      server.close();
      return 0;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable stop = () -> {
      if (closing.compareAndSet(false, true)) {
        LOG.log(System.Logger.Level.INFO, "shutting down");
        server.close();
      }
      stopped.countDown();
    };
    // /quitquitquit and SIGTERM end the same way.
    server.onShutdownRequested(() -> new Thread(stop, "shutdown").start());
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "shutdown-hook"));
    LOG.log(System.Logger.Level.INFO, "starting workers");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
