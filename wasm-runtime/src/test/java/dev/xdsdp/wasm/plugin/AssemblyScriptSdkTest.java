package dev.xdsdp.wasm.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.wasm.abi.StreamType;
import dev.xdsdp.wasm.module.AbiVersion;
import dev.xdsdp.wasm.testing.FakeCallouts;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestStreamHost;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Modules built with the AssemblyScript SDKs from npm run as in Envoy. */
class AssemblyScriptSdkTest {

  @Test
  void soloProxyRuntime018() throws Exception {
    // 0.1.8's onConfigure passes the configuration size where the size pointer belongs; with
    // today's cpp-host (which writes (0, 0) for an empty buffer) an empty configuration makes it
    // read a null ArrayBuffer and trap, in Envoy as here. A short configuration works.
    try (PluginHarness h = PluginHarness.create("as_solo", b -> b.rootId("solo_root").pluginConfiguration("cfg"))) {
      assertEquals(AbiVersion.V0_2_0, h.plugin.abiVersion());
      TestStreamHost host = TestStreamHost.request("GET", "/").withResponse(200);
      PluginHarness.TestStream s = h.stream(host);
      assertEquals(FilterHeadersStatus.CONTINUE, s.requestHeaders(true));
      assertEquals(List.of("solo"), host.requestHeader("x-as-sdk"));
      assertEquals(FilterHeadersStatus.CONTINUE, s.responseHeaders(true));
      assertEquals("solo", host.responseHeaders.get("x-as-response"));
      s.log();
      s.destroy();

      TestStreamHost deny = TestStreamHost.request("GET", "/", "x-as-action", "deny");
      PluginHarness.TestStream d = h.stream(deny);
      assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, d.requestHeaders(true));
      assertEquals(401, deny.localReplies.getFirst().status());
      assertEquals("denied", deny.localReplies.getFirst().body());
      assertEquals("as-solo", deny.localReplies.getFirst().headers().getFirst().value());
      assertEquals(16, deny.localReplies.getFirst().grpcStatus());
      d.destroy();

      // The SDK makes the call from the root context, then switches to the stream's context
      // with proxy_set_effective_context when the response arrives.
      TestStreamHost call = TestStreamHost.request("GET", "/", "x-as-action", "call");
      PluginHarness.TestStream c = h.stream(call);
      assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, c.requestHeaders(true));
      FakeCallouts.Http http = h.callouts.nextHttp(Duration.ofSeconds(5));
      assertNotNull(http);
      assertEquals("backend", http.request().cluster());
      http.respond(204, "");
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (call.continued.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(List.of(StreamType.HTTP_REQUEST), call.continued);
      assertEquals(List.of("204"), call.requestHeader("x-as-call-status"));
      c.destroy();
    }
  }

  @Test
  void soloSdkNeedsItsRootId() {
    // The SDK looks plugin_root_id up in proxy_on_context_create; a wrong one aborts in the
    // module ("Missing root context factory"), which fails the plugin as in Envoy.
    var e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.xdsdp.wasm.WasmException.class, () -> PluginHarness.create("as_solo", b -> b.rootId("nope").pluginConfiguration("cfg")));
    assertTrue(e.getMessage().contains("Unable to create Wasm plugin"), e.getMessage());
  }

  @Test
  void gcoreSdk123WithWasiShim() {
    try (PluginHarness h = PluginHarness.create("as_gcore", b -> b.rootId("gcore_root").vmId("gcore_vm"))) {
      assertEquals(AbiVersion.V0_2_1, h.plugin.abiVersion());
      for (int i = 1; i <= 3; i++) {
        TestStreamHost host = TestStreamHost.request("GET", "/").withResponse(200);
        PluginHarness.TestStream s = h.stream(host);
        assertEquals(FilterHeadersStatus.CONTINUE, s.requestHeaders(true));
        assertEquals(List.of("gcore"), host.requestHeader("x-as-sdk"));
        assertEquals(List.of(h.plugin.config().name()), host.requestHeader("x-as-plugin"));
        assertEquals(List.of(Integer.toString(i)), host.requestHeader("x-as-count"));
        s.responseHeaders(true);
        assertEquals("gcore", host.responseHeaders.get("x-as-response"));
        s.destroy();
      }
      // Its log goes through WASI fd_write (the SDK's console), and reaches the plugin log.
      assertTrue(h.log.messages().stream().anyMatch(m -> m.contains("gcore filter saw")), h.log.messages().toString());
      TestStreamHost deny = TestStreamHost.request("GET", "/", "x-as-action", "deny");
      PluginHarness.TestStream d = h.stream(deny);
      assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, d.requestHeaders(true));
      assertEquals(403, deny.localReplies.getFirst().status());
      assertEquals(7, deny.localReplies.getFirst().grpcStatus());
      assertFalse(d.stream.failed());
      d.destroy();
    }
  }
}
