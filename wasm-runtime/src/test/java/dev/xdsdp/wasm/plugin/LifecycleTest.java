package dev.xdsdp.wasm.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.wasm.WasmException;
import dev.xdsdp.wasm.module.AbiVersion;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestStreamHost;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Root and stream context lifecycles, in the order cpp-host and Envoy call them. */
class LifecycleTest {

  @Test
  void rootContextStartsWithBothConfigurations() {
    try (PluginHarness h =
        PluginHarness.create(
            "abi_suite", b -> b.rootId("my_root").vmConfiguration("vm-config").pluginConfiguration("a=1;b=2"))) {
      assertEquals("1", h.log.get("root_create"));
      assertEquals("my_root", h.log.get("root_id_at_create"));
      assertEquals("9", h.log.get("vm_config_size"));
      assertEquals("vm-config", h.log.get("vm_config"));
      assertEquals("0", h.log.get("plugin_config_status"));
      assertEquals("a=1;b=2", h.log.get("plugin_config"));
      assertEquals(AbiVersion.V0_2_1, h.plugin.abiVersion());
      // The canary's started VM is taken over by the first replica: the module starts once.
      h.replica();
      assertEquals(1, h.log.all("root_create").size());
    }
  }

  @Test
  void onVmStartReturningFalseRejectsThePlugin() {
    WasmException e =
        assertThrows(
            WasmException.class, () -> PluginHarness.create("abi_suite", b -> b.vmConfiguration("fail_vm_start")));
    assertTrue(e.getMessage().startsWith("Unable to create Wasm plugin abi_suite_"), e.getMessage());
    assertTrue(e.getMessage().endsWith(": proxy_on_vm_start returned false"), e.getMessage());
  }

  @Test
  void onConfigureReturningFalseRejectsThePlugin() {
    WasmException e =
        assertThrows(
            WasmException.class, () -> PluginHarness.create("abi_suite", b -> b.pluginConfiguration("fail=configure")));
    assertTrue(e.getMessage().endsWith(": proxy_on_configure returned false"), e.getMessage());
  }

  @Test
  void streamCallbacksArriveInEnvoysOrder() {
    try (PluginHarness h = PluginHarness.create("abi_suite", b -> {})) {
      TestStreamHost host = TestStreamHost.request("GET", "/x").withResponse(200, "server", "test");
      PluginHarness.TestStream s = h.stream(host);
      int id = s.stream.contextId();
      assertEquals(2, id);
      h.log.clear();
      assertEquals(FilterHeadersStatus.CONTINUE, s.requestHeaders(true));
      assertEquals("4", h.log.get("request_headers"));
      assertEquals("1", h.log.get("request_eos"));
      assertEquals(FilterHeadersStatus.CONTINUE, s.responseHeaders(false));
      assertEquals(List.of("1"), host.responseHeaders.getAll("x-wasm-response"));
      s.log();
      assertEquals("/x", h.log.get("log_path"));
      s.destroy();
      assertEquals(
          List.of("request_headers=4", "request_eos=1", "response_headers=2", "log_path=/x", "log_add=2",
              "log_missing_map=1", "done=2", "delete=2"),
          h.log.messages());
      // The next stream gets a fresh id; ids are never reused.
      assertEquals(3, h.stream(TestStreamHost.request("GET", "/y")).stream.contextId());
    }
  }

  @Test
  void abi020ModuleGetsTheSameCallbacks() {
    try (PluginHarness h = PluginHarness.create("abi_suite_020", b -> {})) {
      assertEquals(AbiVersion.V0_2_0, h.plugin.abiVersion());
      PluginHarness.TestStream s = h.stream(TestStreamHost.request("GET", "/x"));
      assertEquals(FilterHeadersStatus.CONTINUE, s.requestHeaders(false));
      assertEquals("0", h.log.get("request_eos"));
    }
  }

  @Test
  void closingThePluginEndsTheRootContext() throws Exception {
    PluginHarness h = PluginHarness.create("abi_suite", b -> {});
    h.replica();
    h.log.clear();
    h.close();
    assertEquals(List.of("done=1", "delete=1"), h.log.messages());
  }

  @Test
  void closingWaitsForLiveStreams() throws Exception {
    PluginHarness h = PluginHarness.create("abi_suite", b -> {});
    PluginHarness.TestStream s = h.stream(TestStreamHost.request("GET", "/x"));
    s.requestHeaders(true);
    h.plugin.close();
    h.loop.drain();
    assertTrue(!h.plugin.closedFuture().isDone(), "closed while a stream was live");
    assertTrue(h.log.all("done").isEmpty());
    s.destroy();
    h.plugin.closedFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(List.of("2", "1"), h.log.all("done"));
    h.close();
  }

  @Test
  void rootThatFinishesLaterCallsProxyDone() throws Exception {
    PluginHarness h = PluginHarness.create("abi_suite", b -> b.pluginConfiguration("done=later;tick=5"));
    h.replica();
    h.plugin.close();
    assertEquals("0", h.log.await("proxy_done", java.time.Duration.ofSeconds(5)));
    h.plugin.closedFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(List.of("1"), h.log.all("delete"));
    h.close();
  }
}
