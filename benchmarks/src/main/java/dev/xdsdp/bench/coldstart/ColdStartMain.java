package dev.xdsdp.bench.coldstart;

import dev.xdsdp.bench.engines.EngineDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Figure 5 (a) and (b), one measurement per process: from the module's bytes in memory to its
 * first request served, then the time until requests run at steady speed. Prints one JSON line:
 *
 * <pre>COLDSTART {"engine":"graalwasm","module":"bench_filter.wasm","init_ms":..,"load_ms":..,
 *   "first_request_ms":..,"cold_ms":..,"first_response_epoch_us":..,"steady_ns":..,"warm_ms":..,...}</pre>
 *
 * {@code init_ms}: making the engine (GraalWasm: the runtime and its polyglot engine; 0 for
 * Chicory, which has none); {@code load_ms}: parse, validate, compile, instantiate,
 * {@code proxy_on_vm_start} and {@code proxy_on_configure}; {@code first_request_ms}: the first
 * request cycle; {@code cold_ms} the sum. {@code first_response_epoch_us} lets the script add the
 * process start (JVM boot) it measured itself.
 *
 * <p>Options: {@code --engine} (graalwasm, chicory, chicory-interp), {@code --wasm} path,
 * {@code --mode} (headers), {@code --warm-seconds} (10; 0 skips part b), {@code --batch} (100).
 */
public final class ColdStartMain {

  private ColdStartMain() {}

  public static void main(String[] args) throws Exception {
    String engine = "graalwasm";
    String wasm = null;
    String mode = "headers";
    double warmSeconds = 10;
    int batch = 100;
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--engine" -> engine = v;
        case "--wasm" -> wasm = v;
        case "--mode" -> mode = v;
        case "--warm-seconds" -> warmSeconds = Double.parseDouble(v);
        case "--batch" -> batch = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (wasm == null) {
      throw new IllegalArgumentException("--wasm PATH is required");
    }
    // As the data plane with -l warn: the runtime's INFO lines are dropped, not formatted.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    byte[] bytes = Files.readAllBytes(Path.of(wasm));
    EngineDriver driver = EngineDriver.create(engine);

    long t0 = System.nanoTime();
    driver.init();
    long t1 = System.nanoTime();
    driver.load(bytes, mode);
    long t2 = System.nanoTime();
    int sink = driver.request();
    long t3 = System.nanoTime();
    Instant firstResponse = Instant.now();

    WarmupSeries series = new WarmupSeries(batch);
    long end = t3 + (long) (warmSeconds * 1e9);
    long limit = 50_000_000; // batches; the time bound ends the loop long before
    long prev = t3;
    for (long b = 0; b < limit && prev < end; b++) {
      for (int i = 0; i < batch; i++) {
        sink += driver.request();
      }
      long now = System.nanoTime();
      series.add((now - prev) / (double) batch, (now - t3) / 1e6);
      prev = now;
    }
    // Checked after the timed part, so the check does not warm anything up first.
    EngineDriver.Check check = EngineDriver.verify(driver, mode);
    String describe = driver.describe();
    driver.close();

    System.out.printf(
        java.util.Locale.ROOT,
        "COLDSTART {\"engine\":\"%s\",\"module\":\"%s\",\"bytes\":%d,\"init_ms\":%.2f,\"load_ms\":%.2f,"
            + "\"first_request_ms\":%.3f,\"cold_ms\":%.2f,\"first_response_epoch_us\":%d,%s,\"sink\":%d}%n",
        engine,
        Path.of(wasm).getFileName(),
        bytes.length,
        (t1 - t0) / 1e6,
        (t2 - t1) / 1e6,
        (t3 - t2) / 1e6,
        (t3 - t0) / 1e6,
        firstResponse.getEpochSecond() * 1_000_000L + firstResponse.getNano() / 1000,
        series.json(),
        sink & 1);
    System.out.println("# " + describe + "; check " + check);
  }
}
