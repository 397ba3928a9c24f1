package dev.xdsdp.wasm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestStats;
import dev.xdsdp.wasm.testing.TestStreamHost;
import org.junit.jupiter.api.Test;

/** The stats beyond Envoy's: time in the module, hostcall counts and time, memory high water. */
class PluginStatsTest {

  @Test
  void perPluginCpuTimeHostcallsAndMemory() {
    TestStats stats = PluginHarness.stats();
    try (PluginHarness h = PluginHarness.create("abi_suite", b -> b.runtime("envoy.wasm.runtime.stats_test"))) {
      String p = "wasm." + h.plugin.config().name() + ".";
      long callsBefore = stats.counterValue(p + "vm_calls");
      PluginHarness.TestStream s = h.stream(TestStreamHost.request("GET", "/", "x-case", "headers", "x-in", "v"));
      s.requestHeaders(true);
      s.destroy();
      assertTrue(stats.counterValue(p + "vm_calls") >= callsBefore + 4, "create, headers, done, delete");
      assertTrue(stats.counterValue(p + "vm_cpu_time_us") > 0);
      // Every hostcall the module made is counted and timed under its own name.
      long logs = stats.counterValue(p + "hostcall.proxy_log.calls");
      assertTrue(logs >= 15, "proxy_log calls: " + logs);
      assertTrue(stats.counterValue(p + "hostcall.proxy_log.time_ns") > 0);
      assertTrue(stats.counterValue(p + "hostcall.proxy_get_header_map_value.calls") >= 4);
      assertEquals(1, stats.counterValue(p + "hostcall.proxy_get_header_map_pairs.calls"));
      assertTrue(stats.hasCounter(p + "hostcall.fd_write.calls"), "imported functions get their stats up front");
      // The C module starts with 2 pages and grows its heap as it allocates.
      assertTrue(stats.gaugeValue(p + "vm_memory_high_water_bytes") >= 2 * 65536);
      // Envoy's runtime counts: the canary/replica VM was created and is active.
      assertTrue(stats.counterValue("wasm.envoy.wasm.runtime.stats_test.created") >= 1);
      assertEquals(1, stats.gaugeValue("wasm.envoy.wasm.runtime.stats_test.active"));
    }
    assertEquals(0, stats.gaugeValue("wasm.envoy.wasm.runtime.stats_test.active"));
  }
}
