package dev.xdsdp.bench.engines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Figure 4: nanoseconds per proxy-wasm request cycle ({@link EngineDriver}) on one engine, one
 * filter mode, one thread. The setup checks once that the filter really did its work
 * ({@link EngineDriver#verify}), then warms the engine up until its speed is stable
 * ({@link Prewarm}): GraalWasm's JIT (Truffle compiling the module with the Graal compiler, which
 * itself runs as Java bytecode being JIT-compiled) needs tens of seconds on one core, Chicory's
 * bytecode and V8 a few; JMH's own warm-up iterations follow. Run through {@link EnginesMain}, which sets the parameters and
 * the JVM flags of the forks.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EnginesBenchmark {

  @Param({"graalwasm", "chicory"})
  public String engine;

  @Param({"noop", "headers", "getheader=0", "getheader=100"})
  public String mode;

  /** The module (benchmarks/wasm/bench_filter.wasm). */
  @Param("")
  public String wasm;

  /** Upper bound, in seconds, of the adaptive warm-up in the setup ({@link Prewarm}). */
  @Param("60")
  public String prewarmMax;

  private EngineDriver driver;

  @Setup
  public void setup() throws Exception {
    byte[] bytes = Files.readAllBytes(Path.of(wasm));
    driver = EngineDriver.create(engine);
    driver.init();
    driver.load(bytes, mode);
    EngineDriver.Check c = EngineDriver.verify(driver, mode);
    System.out.println("# engine check: " + driver.describe() + "; mode " + mode + ": " + c);
    System.out.println("# " + engine + " " + mode + " " + Prewarm.run(driver::request, Double.parseDouble(prewarmMax)));
  }

  @Benchmark
  public int request() {
    return driver.request();
  }

  @TearDown
  public void tearDown() {
    driver.close();
  }
}
