package dev.xdsdp.wasm.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.network.NetworkFilterStatus;
import dev.xdsdp.wasm.context.WasmInstance;
import dev.xdsdp.wasm.testing.FakeCallouts;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.RecordingLog;
import dev.xdsdp.wasm.testing.TestModules;
import dev.xdsdp.wasm.testing.TestNetworkHost;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Envoy's VM sharing: plugins with the same vm_id, code and VM configuration run in one VM per
 * loop, each as its own root context with its own configuration, sharing the module's state; a
 * failure of that VM is every such plugin's failure, and its rebuild brings all of them back; a
 * plugin that leaves takes only its root with it. One exception for a safe hot reload: a new
 * version of a running plugin (same name and root id) gets VMs of its own.
 */
class VmSharingTest {

  private static String text(BodyBuffer b) {
    return new String(b.toByteArray(), StandardCharsets.UTF_8);
  }

  /** One connection through {@code r}: {@code in} upstream-bound, {@code out} what came back. */
  private static String[] connect(PluginHarness on, PluginReplica r, String in, String out) {
    TestNetworkHost host = new TestNetworkHost();
    return on.loop.call(() -> {
      WasmNetworkStream s = r.newNetworkStream(host);
      NetworkFilterStatus status = s.onNewConnection();
      host.downstream = BodyBuffer.wrap(in.getBytes(StandardCharsets.UTF_8));
      s.onDownstreamData(in.length(), false);
      host.upstream = BodyBuffer.wrap(out.getBytes(StandardCharsets.UTF_8));
      s.onUpstreamData(out.length(), false);
      s.onDestroy();
      return new String[] {status.name(), text(host.downstream), text(host.upstream)};
    });
  }

  @Test
  void pluginsWithTheSameVmKeyShareOneVmPerLoop() throws Exception {
    try (PluginHarness a = PluginHarness.create("tcp_filter",
        b -> b.vmId("vm_shared_key").pluginConfiguration("tag=<a>").reloadBackoff(Duration.ofMillis(20)))) {
      RecordingLog logB = new RecordingLog();
      WasmPlugin b = PluginHarness.runtime().createPlugin(
          PluginConfig.builder(PluginHarness.uniqueName("tcp_b"), TestModules.bytes("tcp_filter"))
              .vmId("vm_shared_key").pluginConfiguration("tag=<b>;upper=1;trap=BOOM").build(),
          new PluginEnvironment(new FakeCallouts(), null, logB, null));
      try {
        PluginReplica ra = a.replica();
        PluginReplica rb = b.prepare(a.loop).get(30, TimeUnit.SECONDS);
        WasmInstance vm = a.loop.call(ra::instance);
        assertSame(vm, a.loop.call(rb::instance), "one VM for both plugins on the loop");
        assertEquals(2, a.loop.call(() -> vm.roots().size()));
        assertNotEquals(a.loop.call(() -> ra.root().id()), a.loop.call(() -> rb.root().id()));
        assertSame(a.plugin.group(), b.group());

        // Each root keeps its own configuration; the module's own state is one.
        assertEquals("hi", connect(a, ra, "hi", "x")[1]);
        assertEquals("<a>x", connect(a, ra, "hi", "x")[2]);
        assertEquals("HI", connect(a, rb, "hi", "x")[1]);
        assertEquals("<b>x", connect(a, rb, "hi", "x")[2]);
        assertEquals(java.util.List.of("1", "2"), a.log.all("vm_connections"));
        assertEquals(java.util.List.of("3", "4"), logB.all("vm_connections"), "the module's state is shared");

        // b's trap fails the VM for both plugins; the rebuilt VM has both roots again.
        assertEquals("STOP_ITERATION", connectRaw(a, rb, "BOOM"));
        assertFalse(a.loop.call(ra::healthy));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !(a.loop.call(ra::healthy) && a.loop.call(rb::healthy))) {
          Thread.sleep(10);
        }
        WasmInstance rebuilt = a.loop.call(ra::instance);
        assertNotSame(vm, rebuilt);
        assertSame(rebuilt, a.loop.call(rb::instance));
        assertTrue(vm.closed());
        assertEquals(1, a.plugin.stats().reloadSuccess.value());
        assertEquals(1, b.stats().reloadSuccess.value());
        assertEquals("<a>x", connect(a, ra, "hi", "x")[2]);
      } finally {
        b.close();
        b.closedFuture().get(10, TimeUnit.SECONDS);
      }
      // b leaves: only its root goes; a keeps its VM.
      WasmInstance still = a.loop.call(() -> a.replica().instance());
      assertEquals(1, a.loop.call(() -> still.roots().size()));
      assertTrue(still.usable());
      assertEquals("<a>y", connect(a, a.replica(), "hi", "y")[2]);
    }
  }

  @Test
  void aNewVersionOfARunningPluginGetsItsOwnVmsWhileOtherPluginsStillShare() throws Exception {
    try (PluginHarness v1 = PluginHarness.create("tcp_filter",
        b -> b.vmId("vm_reload_key").pluginConfiguration("tag=<v1>"))) {
      String name = v1.plugin.config().name();
      WasmPlugin v2 = PluginHarness.runtime().createPlugin(
          PluginConfig.builder(name, TestModules.bytes("tcp_filter"))
              .vmId("vm_reload_key").pluginConfiguration("tag=<v2>").build(),
          new PluginEnvironment(new FakeCallouts(), null, new RecordingLog(), null));
      WasmPlugin other = PluginHarness.runtime().createPlugin(
          PluginConfig.builder(PluginHarness.uniqueName("tcp_other"), TestModules.bytes("tcp_filter"))
              .vmId("vm_reload_key").pluginConfiguration("tag=<o>").build(),
          new PluginEnvironment(new FakeCallouts(), null, new RecordingLog(), null));
      try {
        assertNotSame(v1.plugin.group(), v2.group(), "a new version never joins its predecessor's VMs");
        assertSame(v1.plugin.group(), other.group(), "a different plugin of the VM key shares as in Envoy");
        PluginReplica r1 = v1.replica();
        PluginReplica r2 = v2.prepare(v1.loop).get(30, TimeUnit.SECONDS);
        assertNotSame(v1.loop.call(r1::instance), v1.loop.call(r2::instance));
        assertEquals("<v1>x", connect(v1, r1, "hi", "x")[2]);
        assertEquals("<v2>x", connect(v1, r2, "hi", "x")[2]);
      } finally {
        v2.close();
        other.close();
        v2.closedFuture().get(10, TimeUnit.SECONDS);
        other.closedFuture().get(10, TimeUnit.SECONDS);
      }
      // The old version's VMs carry on untouched once the new one is gone.
      assertEquals("<v1>y", connect(v1, v1.replica(), "hi", "y")[2]);
    }
  }

  private static String connectRaw(PluginHarness on, PluginReplica r, String in) {
    TestNetworkHost host = new TestNetworkHost();
    return on.loop.call(() -> {
      WasmNetworkStream s = r.newNetworkStream(host);
      s.onNewConnection();
      host.downstream = BodyBuffer.wrap(in.getBytes(StandardCharsets.UTF_8));
      NetworkFilterStatus status = s.onDownstreamData(in.length(), false);
      s.onDestroy();
      return status.name();
    });
  }
}
