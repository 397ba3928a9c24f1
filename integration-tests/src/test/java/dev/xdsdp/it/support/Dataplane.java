package dev.xdsdp.it.support;

import dev.xdsdp.dataplane.server.CommandLine;
import dev.xdsdp.dataplane.server.Options;
import dev.xdsdp.dataplane.server.Server;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.xds.bootstrap.BootstrapLoader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The data plane under test, started in-process exactly as {@code Main} starts it (bootstrap loader,
 * command-line defaults, {@link Server#start(io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap, Options)}).
 * Bootstraps are YAML with {@code ${NAME}} placeholders (ports of upstreams, temp paths).
 */
public final class Dataplane implements AutoCloseable {

  private final Server server;

  private Dataplane(Server server) {
    this.server = server;
  }

  public static Dataplane start(String yaml, Map<String, ?> vars, String... args) throws Exception {
    var loaded = BootstrapLoader.loadYaml(substitute(yaml, vars), "test-bootstrap.yaml", false);
    return new Dataplane(Server.start(loaded.bootstrap(), options(args)));
  }

  /** Starts on {@code src/test/resources/bootstrap/<file>} with its placeholders filled in. */
  public static Dataplane startBootstrap(String file, Map<String, ?> vars, String... args) throws Exception {
    return start(Files.readString(Path.of("src/test/resources/bootstrap", file)), vars, args);
  }

  /** Starts on a bootstrap proto (e.g. built by the xDS test resources). */
  public static Dataplane start(io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap bootstrap, String... args) throws Exception {
    return new Dataplane(Server.start(bootstrap, options(args)));
  }

  /** The command line's options: two worker loops, then {@code args}. */
  private static Options options(String... args) throws Exception {
    String[] all = new String[args.length + 2];
    all[0] = "--concurrency";
    all[1] = "2";
    System.arraycopy(args, 0, all, 2, args.length);
    return ((CommandLine.Parsed.Run) CommandLine.parse(all)).options();
  }

  public static String substitute(String yaml, Map<String, ?> vars) {
    String text = yaml;
    for (Map.Entry<String, ?> e : vars.entrySet()) {
      text = text.replace("${" + e.getKey() + "}", String.valueOf(e.getValue()));
    }
    if (text.contains("${")) {
      throw new IllegalArgumentException("unresolved placeholder in bootstrap: "
          + text.substring(text.indexOf("${"), Math.min(text.length(), text.indexOf("${") + 30)));
    }
    return text;
  }

  public int port(String listener) {
    return server.listenerPort(listener);
  }

  public URI uri(String listener, String path) {
    return URI.create("http://127.0.0.1:" + port(listener) + path);
  }

  public Server server() {
    return server;
  }

  /** A proxy-wasm shared-data value of {@code vmId} as text, or null when there is none. */
  public String sharedData(String vmId, String key) {
    var v = server.wasmHost().runtime().sharedData().get(vmId, key);
    return v == null ? null : new String(v.data(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A shared-data value that a module keeps as a decimal number; 0 when there is none. */
  public long sharedNumber(String vmId, String key) {
    String v = sharedData(vmId, key);
    return v == null ? 0 : Long.parseLong(v);
  }

  /** The value of a counter or gauge by its Envoy name (0 when it does not exist). */
  public long stat(String name) {
    StatsStore store = (StatsStore) server.stats();
    for (var c : store.counters()) {
      if (c.name().equals(name)) {
        return c.value();
      }
    }
    for (var g : store.gauges()) {
      if (g.name().equals(name)) {
        return g.value();
      }
    }
    return 0;
  }

  @Override
  public void close() {
    server.close();
  }
}
