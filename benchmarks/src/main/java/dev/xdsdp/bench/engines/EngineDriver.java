package dev.xdsdp.bench.engines;

/**
 * One Wasm engine behind a proxy-wasm host, driven in-process the way a proxy drives an HTTP
 * filter: {@link #init} makes the engine, {@link #load} compiles and starts a module with a plugin
 * configuration ({@code proxy_on_vm_start}, {@code proxy_on_configure}), and each
 * {@link #request} is one request cycle on a new stream context: {@code proxy_on_context_create},
 * {@code proxy_on_request_headers} with {@link #REQUEST_HEADERS}, {@code proxy_on_response_headers}
 * with {@link #RESPONSE_HEADERS}, then {@code proxy_on_done}, {@code proxy_on_log} and
 * {@code proxy_on_delete}. The header maps are new for every request, as in a proxy.
 *
 * <p>Single-threaded: every call comes from the thread that called {@link #load}.
 */
public interface EngineDriver extends AutoCloseable {

  /** A realistic request: 8 headers (name, value pairs). */
  String[] REQUEST_HEADERS = {
    ":method", "GET",
    ":path", "/api/v1/items?id=42&sort=asc",
    ":authority", "bench.example.com",
    ":scheme", "http",
    "user-agent", "wrk/4.2.0 (benchmark)",
    "accept", "*/*",
    "x-request-id", "0b8a4a5e-6b2f-4d6e-9f3c-3f4d2c1b0a99",
    "x-forwarded-proto", "http",
  };

  /** A realistic response: 5 headers. */
  String[] RESPONSE_HEADERS = {
    ":status", "200",
    "content-type", "text/plain; charset=utf-8",
    "content-length", "13",
    "date", "Mon, 07 Dec 2026 15:00:00 GMT",
    "server", "bench-upstream",
  };

  /** The engine names {@link #create} knows. */
  String ENGINES = "graalwasm, chicory (Chicory's runtime compiler), chicory-interp (Chicory's interpreter)";

  String name();

  /** Makes the engine (GraalWasm: the runtime, its polyglot engine and the CPU watchdog). */
  void init();

  /** Parses, validates, compiles and starts {@code wasm} with {@code pluginConfig} (the filter's mode). */
  void load(byte[] wasm, String pluginConfig);

  /** One request cycle; returns a value that depends on the work (for JMH's dead-code elimination). */
  int request();

  /** One request cycle that records what the module did. */
  Check checkedRequest();

  /** What runs the Wasm code, e.g. GraalWasm's Truffle runtime name. */
  String describe();

  @Override
  void close();

  /**
   * What one request did: whether the filter added {@code x-bench-request} and
   * {@code x-bench-response}, how many {@code proxy_get_header_map_value} calls the host served,
   * and whether both header callbacks returned Continue.
   */
  record Check(boolean requestAdded, boolean responseAdded, long headerGets, boolean continued) {}

  static EngineDriver create(String engine) {
    return switch (engine) {
      case "graalwasm" -> new GraalDriver();
      case "chicory" -> new ChicoryDriver(true);
      case "chicory-interp" -> new ChicoryDriver(false);
      default -> throw new IllegalArgumentException("unknown engine " + engine + "; known: " + ENGINES);
    };
  }

  /**
   * Runs one checked request and fails unless the module did what {@code mode} says: nothing for
   * {@code noop}, 2 header reads and both added headers for {@code headers}, N header reads for
   * {@code getheader=N}. Proves that the filter really runs and the host calls really happen.
   */
  static Check verify(EngineDriver driver, String mode) {
    Check c = driver.checkedRequest();
    boolean ok;
    if (mode.equals("noop")) {
      ok = !c.requestAdded() && !c.responseAdded() && c.headerGets() == 0;
    } else if (mode.equals("headers")) {
      ok = c.requestAdded() && c.responseAdded() && c.headerGets() == 2;
    } else if (mode.startsWith("getheader=")) {
      ok = !c.requestAdded() && !c.responseAdded() && c.headerGets() == Integer.parseInt(mode.substring(10));
    } else {
      throw new IllegalArgumentException("mode " + mode + " is not one of noop, headers, getheader=N");
    }
    ok &= c.continued();
    if (!ok) {
      throw new IllegalStateException(driver.name() + " in mode " + mode + " did not run the filter as expected: " + c);
    }
    return c;
  }
}
