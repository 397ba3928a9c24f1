package dev.xdsdp.bench.engines;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link EnginesBenchmark} with JMH and prints one machine-readable line per result:
 *
 * <pre>RESULT engine=graalwasm mode=headers ns=812.3 error=4.1</pre>
 *
 * Options ({@code --name value}): {@code --wasm} path (required), {@code --engines} comma list
 * (graalwasm,chicory), {@code --modes} comma list (noop,headers,getheader=0,getheader=100),
 * {@code --forks} (1), {@code --prewarm-max} bound in seconds of the adaptive warm-up in each
 * fork's setup (60), {@code --warmup} 1-second JMH warm-up iterations after it (4),
 * {@code --iterations} 1-second measured iterations (3).
 *
 * <p>The forks get this JVM's own flags (those {@code bench_build_tools} puts in BENCH_JAVA: JVMCI,
 * the Graal compiler on the upgrade module path, polyglot/truffle/wasm on the module path), so
 * GraalWasm runs with its JIT in the forks; the GraalWasm driver refuses to run without it.
 */
public final class EnginesMain {

  private EnginesMain() {}

  public static void main(String[] args) throws Exception {
    String wasm = null;
    String engines = "graalwasm,chicory";
    String modes = "noop,headers,getheader=0,getheader=100";
    int forks = 1;
    int warmup = 4;
    int iterations = 3;
    String prewarmMax = "60";
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--wasm" -> wasm = Path.of(v).toAbsolutePath().toString();
        case "--engines" -> engines = v;
        case "--modes" -> modes = v;
        case "--forks" -> forks = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--iterations" -> iterations = Integer.parseInt(v);
        case "--prewarm-max" -> prewarmMax = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (wasm == null) {
      throw new IllegalArgumentException("--wasm PATH is required");
    }
    List<String> jvmArgs = new ArrayList<>();
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent")) {
        jvmArgs.add(a);
      }
    }
    System.out.println("# fork JVM flags: " + String.join(" ", jvmArgs));
    ChainedOptionsBuilder opts =
        new OptionsBuilder()
            .include(EnginesBenchmark.class.getName() + ".request")
            .param("engine", engines.split(","))
            .param("mode", modes.split(","))
            .param("wasm", wasm)
            .param("prewarmMax", prewarmMax)
            .forks(forks)
            .warmupIterations(warmup)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(1))
            .threads(1)
            .shouldFailOnError(true)
            .jvmArgs(jvmArgs.toArray(String[]::new));
    Collection<RunResult> results = new Runner(opts.build()).run();
    for (RunResult r : results) {
      var p = r.getParams();
      var s = r.getPrimaryResult();
      double err = s.getScoreError();
      System.out.printf(
          java.util.Locale.ROOT,
          "RESULT engine=%s mode=%s ns=%.1f error=%.1f%n",
          p.getParam("engine"),
          p.getParam("mode"),
          s.getScore(),
          Double.isNaN(err) ? 0.0 : err);
    }
  }
}
