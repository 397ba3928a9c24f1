package dev.xdsdp.wasm.abi.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.wasm.abi.LogLevel;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.RecordingLog;
import dev.xdsdp.wasm.testing.TestStreamHost;
import dev.xdsdp.wasm.context.WasmInstance;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The WASI subset: stdio to the log, environment only from the VM config, no files. */
class WasiAbiTest {

  @Test
  void goAndTinyGoStartupProbesSucceed() {
    // wasi_probe traps in _initialize on any answer a Go or TinyGo runtime would choke on.
    try (PluginHarness h = PluginHarness.create("wasi_probe", b -> b.environmentVariable("PROBE", "1"))) {
      h.replica();
      assertTrue(h.log.lines().contains(new RecordingLog.Line(LogLevel.INFO, "hello from wasi_unstable")));
      assertTrue(h.log.lines().contains(new RecordingLog.Line(LogLevel.ERROR, "to stderr")));
    }
  }

  @Test
  void cLibraryIoEnvironmentRandomAndClocks() {
    try (PluginHarness h = PluginHarness.create("abi_suite", b -> b.environmentVariable("TEST_ENV", "from-config"))) {
      PluginHarness.TestStream s = h.stream(TestStreamHost.request("GET", "/", "x-case", "wasi"));
      h.log.clear();
      s.requestHeaders(true);
      Map<String, String> r = h.log.reports();
      assertTrue(h.log.lines().contains(new RecordingLog.Line(LogLevel.INFO, "stdout line from wasm")), h.log.lines().toString());
      assertTrue(h.log.lines().contains(new RecordingLog.Line(LogLevel.ERROR, "stderr line from wasm")));
      assertEquals("from-config", r.get("env"));
      // Never the JVM's environment.
      assertEquals("(unset)", r.get("home"));
      assertEquals("(unset)", r.get("path"));
      assertEquals("0", r.get("getentropy"));
      assertEquals("1", r.get("random_nonzero"));
      assertEquals("0", r.get("clock_realtime"));
      assertEquals("1", r.get("realtime_after_2020"));
      assertEquals("0", r.get("clock_monotonic"));
      assertEquals("1", r.get("fopen_fails"));
    }
  }

  @Test
  void everyHostcallLinksWithExactTypesAndStubsAnswer() {
    // all_imports imports every env hostcall and all of WASI under both module names.
    try (PluginHarness h = PluginHarness.create("all_imports", b -> {})) {
      WasmInstance inst = h.replica().instance();
      h.loop.run(
          () -> {
            assertEquals(WasiErrno.NOTSUP, inst.call(inst.root(), inst.function("wu_sock_send")));
            assertEquals(WasiErrno.NOTCAPABLE, inst.call(inst.root(), inst.function("w1_path_unlink")));
            // Envoy's DNS extension is offered so modules link, and answers UNIMPLEMENTED.
            assertEquals(12, inst.call(inst.root(), inst.function("resolve_dns")));
            assertEquals(1, inst.call(inst.root(), inst.function("pthread_equal_same")));
            inst.call(inst.root(), inst.function("notify_growth"));
          });
    }
  }
}
