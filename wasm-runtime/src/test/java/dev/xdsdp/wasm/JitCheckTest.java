package dev.xdsdp.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.wasm.testing.PluginHarness;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Fails when the tests' VM runs GraalWasm interpreted although the build asked for the JIT
 * ({@code xdsdp.wasm.expectJit}, set by this module's surefire configuration together with the
 * JVMCI flags): without this, a broken launcher or module path only shows as 50x slower tests.
 */
class JitCheckTest {

  @Test
  void engineRunsWithTheJitWhenExpected() {
    Assumptions.assumeTrue(Boolean.getBoolean("xdsdp.wasm.expectJit"), "JIT not expected in this run");
    WasmRuntime runtime = PluginHarness.runtime();
    assertTrue(
        runtime.jitEnabled(),
        "GraalWasm runs interpreted (" + runtime.engine().implementationName()
            + "): check -XX:+EnableJVMCI, --upgrade-module-path and --module-path in the test argLine");
    assertEquals(0, PluginHarness.stats().gaugeValue("wasm.graalwasm.interpreter_only"));
  }
}
