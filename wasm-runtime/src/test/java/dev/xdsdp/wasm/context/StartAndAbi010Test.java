package dev.xdsdp.wasm.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.wasm.WasmException;
import dev.xdsdp.wasm.abi.StreamType;
import dev.xdsdp.wasm.module.AbiVersion;
import dev.xdsdp.wasm.plugin.VmLimits;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestStreamHost;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Module initialisation variants, and the ABI 0.1.0 forms. */
class StartAndAbi010Test {

  @Test
  void abi010UsesTwoArgumentCallbacksAndItsOwnHostcalls() {
    try (PluginHarness h =
        PluginHarness.create("abi_010", b -> b.vmConfiguration("the-vm-config").pluginConfiguration("the-plugin-config"))) {
      assertEquals(AbiVersion.V0_1_0, h.plugin.abiVersion());
      // proxy_get_configuration returns the VM config in on_vm_start, the plugin config in on_configure.
      assertEquals(List.of("the-vm-config", "the-plugin-config"), h.log.messages());
      TestStreamHost host = TestStreamHost.request("GET", "/").withResponse(200);
      PluginHarness.TestStream s = h.stream(host);
      assertEquals(FilterHeadersStatus.CONTINUE, s.requestHeaders(true));
      assertEquals("0.1.0", host.requestHeaders.get("x-abi"));
      // A missing header is OK with an empty value in 0.1.0.
      assertEquals("0", host.requestHeaders.get("x-missing-status"));
      assertEquals("0", host.requestHeaders.get("x-missing-len"));
      assertEquals("0", host.requestHeaders.get("x-continue"));
      assertEquals("0", host.requestHeaders.get("x-clear-route"));
      assertEquals(List.of(StreamType.HTTP_REQUEST), host.continued);
      assertEquals(1, host.routeCacheClears);
      assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, s.responseHeaders(false));
      assertEquals("0.1.0", host.responseHeaders.get("x-response-abi"));
      assertEquals(List.of(StreamType.HTTP_REQUEST, StreamType.HTTP_RESPONSE), host.continued);
    }
  }

  @Test
  void startSectionRunsBeforeTheHostHasMemoryAndTheModuleStillLoads() {
    try (PluginHarness h = PluginHarness.create("start_section", b -> {})) {
      // proxy_log from the start section could not read guest memory yet: INVALID_MEMORY_ACCESS.
      assertEquals(List.of("start status 6"), h.log.messages());
    }
  }

  @Test
  void commandModuleEndingWithProcExitZeroStarts() {
    try (PluginHarness h = PluginHarness.create("start_exit", b -> {})) {
      assertEquals(List.of("started"), h.log.messages());
      assertTrue(h.replica().healthy());
    }
  }

  @Test
  void trapInInitializeRejectsThePlugin() {
    WasmException e = assertThrows(WasmException.class, () -> PluginHarness.create("start_trap", b -> {}));
    assertTrue(e.getMessage().contains("the VM failed while starting: trap: _initialize"), e.getMessage());
  }

  @Test
  void initializeThatNeverReturnsIsStoppedByTheStartBudget() {
    long start = System.nanoTime();
    WasmException e =
        assertThrows(
            WasmException.class,
            () ->
                PluginHarness.create(
                    "init_loop", b -> b.limits(new VmLimits(64, Duration.ofMillis(100), Duration.ofMillis(300)))));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(e.getMessage().contains("cpu_limit: _initialize exceeded its CPU budget"), e.getMessage());
    assertTrue(ms < 5000, "took " + ms + " ms");
  }
}
