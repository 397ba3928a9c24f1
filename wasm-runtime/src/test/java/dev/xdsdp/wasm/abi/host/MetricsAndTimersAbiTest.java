package dev.xdsdp.wasm.abi.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestStats;
import dev.xdsdp.wasm.testing.TestStreamHost;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Module-defined metrics, ticks on the VM's loop, time and log level. */
class MetricsAndTimersAbiTest {

  @Test
  void metricsAreDefinedUnderTheirNamesWithEnvoysRules() {
    try (PluginHarness h = PluginHarness.create("abi_suite", b -> {})) {
      TestStats stats = PluginHarness.stats();
      long before = Math.max(0, stats.counterValue("test_counter"));
      h.log.clear();
      PluginHarness.TestStream s = h.stream(TestStreamHost.request("GET", "/", "x-case", "metrics"));
      s.requestHeaders(true);
      Map<String, String> r = h.log.reports();
      assertEquals("0", r.get("define_counter"));
      assertEquals("0", r.get("define_gauge"));
      assertEquals("0", r.get("define_histogram"));
      assertEquals("2", r.get("define_bad_type"));
      assertEquals("0", r.get("counter_id_type"));
      assertEquals("1", r.get("gauge_id_type"));
      assertEquals("2", r.get("histogram_id_type"));
      assertEquals("0", r.get("inc_counter"));
      assertEquals("2", r.get("inc_counter_zero"));
      assertEquals("2", r.get("inc_counter_negative"));
      assertEquals("0", r.get("inc_gauge"));
      assertEquals("0", r.get("dec_gauge"));
      assertEquals("2", r.get("inc_histogram"));
      assertEquals("0", r.get("record_counter"));
      assertEquals("0", r.get("record_histogram"));
      assertEquals("0", r.get("get_counter"));
      assertEquals(Long.toString(before + 7), r.get("counter_value"));
      assertEquals("2", r.get("get_histogram"));
      assertEquals("1", r.get("get_unknown"));
      assertEquals("100", r.get("gauge_after_record"));
      assertEquals(before + 7, stats.counterValue("test_counter"));
      assertEquals(100, stats.gaugeValue("test_gauge"));
      assertTrue(stats.histogramValues("test_histogram").contains(42L));
    }
  }

  @Test
  void ticksRunOnTheVmsLoopUntilStopped() {
    try (PluginHarness h = PluginHarness.create("abi_suite", b -> b.pluginConfiguration("tick=10;ticks=3"))) {
      assertEquals("0", h.log.get("set_tick"));
      // The canary never ticks: ticks start when a replica is bound to its loop.
      assertEquals(List.of(), h.log.all("tick"));
      h.replica();
      assertEquals(List.of("1", "2", "3"), h.log.awaitCount("tick", 3, Duration.ofSeconds(5)));
      h.loop.call(
          () -> {
            assertEquals(0, h.replica().instance().root().tickPeriodMillis());
            return null;
          });
      // ticks=3 set the period to 0: no fourth tick.
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
      assertEquals(3, h.log.all("tick").size());
    }
  }

  @Test
  void timeAndLogLevel() {
    try (PluginHarness h = PluginHarness.create("abi_suite", b -> {})) {
      h.log.setLevel(dev.xdsdp.wasm.abi.LogLevel.WARN);
      PluginHarness.TestStream s = h.stream(TestStreamHost.request("GET", "/", "x-case", "time"));
      s.requestHeaders(true);
      assertEquals("0", h.log.get("time_status"));
      assertEquals("1", h.log.get("time_after_2020"));
      assertEquals("0", h.log.get("log_level_status"));
      assertEquals("3", h.log.get("log_level"));
    }
  }
}
