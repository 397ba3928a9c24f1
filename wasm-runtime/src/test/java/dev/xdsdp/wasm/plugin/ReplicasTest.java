package dev.xdsdp.wasm.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.wasm.context.WasmInstance;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestLoop;
import dev.xdsdp.wasm.testing.TestStreamHost;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One VM per event loop (Envoy's per-worker copies), sharing compiled code and shared data. */
class ReplicasTest {

  @Test
  void eachLoopGetsItsOwnVmAndTicks() throws Exception {
    // The second loop is declared first so it is closed last: closing the plugin drains on it.
    try (TestLoop second = new TestLoop("second");
        PluginHarness h = PluginHarness.create("abi_suite", b -> b.pluginConfiguration("tick=10;ticks=2"))) {
      PluginReplica a = h.replica();
      PluginReplica b = h.plugin.prepare(second).get(30, TimeUnit.SECONDS);
      WasmInstance ia = a.instance();
      WasmInstance ib = second.call(b::instance);
      assertNotSame(ia, ib);
      assertEquals(h.loop, ia.loop());
      assertEquals(second, ib.loop());
      // Each VM started its own root context (the canary's VM went to the first loop).
      assertEquals(2, h.log.all("root_create").size());
      // Each VM ticks on its own loop: ticks 1 and 2 are seen twice.
      h.log.awaitCount("tick", 4, Duration.ofSeconds(5));
      assertEquals(4, h.log.all("tick").size(), h.log.all("tick").toString());
      // Context ids are per VM.
      var sa = h.stream(TestStreamHost.request("GET", "/a"));
      TestStreamHost hostB = TestStreamHost.request("GET", "/b");
      WasmHttpStream sb = second.call(() -> b.newHttpStream(hostB));
      assertEquals(sa.stream.contextId(), sb.contextId());
      assertEquals(FilterHeadersStatus.CONTINUE, second.call(() -> sb.onRequestHeaders(true)));
      second.run(sb::onDestroy);
    }
  }

  @Test
  void sharedDataIsVisibleAcrossLoops() throws Exception {
    try (TestLoop second = new TestLoop("second");
        PluginHarness h = PluginHarness.create("abi_suite", b -> b.vmId("replica_shared"))) {
      h.stream(TestStreamHost.request("GET", "/", "x-case", "shared", "x-key", "k", "x-val", "v")).requestHeaders(true);
      PluginReplica b = h.plugin.prepare(second).get(30, TimeUnit.SECONDS);
      TestStreamHost host = TestStreamHost.request("GET", "/", "x-case", "shared", "x-key", "k", "x-val", "w");
      h.log.clear();
      WasmHttpStream s = second.call(() -> b.newHttpStream(host));
      second.call(() -> s.onRequestHeaders(true));
      second.run(s::onDestroy);
      Map<String, String> r = h.log.reports();
      assertEquals("0", r.get("get_before"));
      assertEquals("y", r.get("old"));
    }
  }

  @Test
  void capabilityRestrictionStubsHostcallsAndSkipsCallbacks() {
    try (PluginHarness h =
        PluginHarness.create(
            "abi_suite",
            b ->
                b.allowedCapabilities(
                    java.util.Set.of(
                        "proxy_log", "proxy_get_header_map_value", "proxy_add_header_map_value",
                        "proxy_on_request_headers", "proxy_on_context_create",
                        // wasi-libc's start-up scans preopened directories; without these it exits.
                        "fd_prestat_get", "fd_prestat_dir_name")))) {
      // on_vm_start and on_configure are not allowed: never called.
      assertTrue(h.log.all("vm_config").isEmpty());
      assertTrue(h.log.all("plugin_config").isEmpty());
      TestStreamHost host = TestStreamHost.request("GET", "/", "x-case", "headers", "x-in", "v").withResponse(200);
      var s = h.stream(host);
      assertEquals(FilterHeadersStatus.CONTINUE, s.requestHeaders(true));
      assertEquals("0", h.log.get("get_status"));
      assertEquals("0", h.log.get("add"));
      assertEquals("10", h.log.get("replace")); // denied hostcall: INTERNAL_FAILURE
      assertEquals("10", h.log.get("size_status"));
      s.responseHeaders(true);
      assertEquals(null, host.responseHeaders.get("x-wasm-response")); // callback not allowed
    }
  }
}
