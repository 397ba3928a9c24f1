package dev.xdsdp.wasm.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.network.NetworkFilterStatus;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.wasm.abi.PeerType;
import dev.xdsdp.wasm.abi.StreamType;
import dev.xdsdp.wasm.shared.SharedDataStore;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestNetworkHost;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The network-filter callbacks and buffers ({@code tcp_filter.wasm}): a connection's context sees
 * {@code DOWNSTREAM_DATA}/{@code UPSTREAM_DATA}, may change them, pause, close the connection, and
 * ends with {@code on_done}/{@code on_log}/{@code on_delete} once both sides closed.
 */
class NetworkStreamTest {

  private static PluginHarness plugin(String vmId, String config) {
    return PluginHarness.create("tcp_filter", b -> b.vmId(vmId).pluginConfiguration(config));
  }

  private static String shared(String vmId, String key) {
    SharedDataStore.Value v = PluginHarness.runtime().sharedData().get(vmId, key);
    return v == null ? null : new String(v.data(), StandardCharsets.UTF_8);
  }

  /** Runs {@code body} on the harness loop with a new connection's stream. */
  private static void connection(PluginHarness h, TestNetworkHost host, Consumer<WasmNetworkStream> body) {
    var replica = h.replica();
    h.loop.run(() -> body.accept(replica.newNetworkStream(host)));
  }

  private static BodyBuffer bytes(String s) {
    return BodyBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(BodyBuffer b) {
    return new String(b.toByteArray(), StandardCharsets.UTF_8);
  }

  @Test
  void dataIsRewrittenAndTheContextEndsWhenBothSidesClosed() {
    try (PluginHarness h = plugin("net_rewrite", "upper=1;tag=<t>")) {
      TestNetworkHost host = new TestNetworkHost();
      host.info.downstreamRemote = Address.ofIp("10.9.8.7", 4444);
      connection(h, host, s -> {
        assertEquals(NetworkFilterStatus.CONTINUE, s.onNewConnection());
        host.downstream = bytes("hello");
        assertEquals(NetworkFilterStatus.CONTINUE, s.onDownstreamData(5, false));
        assertEquals("HELLO", text(host.downstream));
        host.upstream = bytes("HELLO");
        assertEquals(NetworkFilterStatus.CONTINUE, s.onUpstreamData(5, false));
        assertEquals("<t>HELLO", text(host.upstream));
        s.onDownstreamConnectionClose(PeerType.REMOTE);
        assertNull(shared("net_rewrite", "closed"), "the upstream is still open");
        host.upstream = BodyBuffer.create();
        s.onUpstreamData(0, true); // end of stream reports the upstream close (peer unknown)
        assertEquals("1", shared("net_rewrite", "closed"));
        s.onDestroy(); // harmless after the context ended
      });
      assertEquals("10.9.8.7:4444", shared("net_rewrite", "conn_source"));
      assertEquals("8080", shared("net_rewrite", "conn_port"));
      assertEquals("42", shared("net_rewrite", "conn_id"));
      assertEquals("2", shared("net_rewrite", "down_close_peer"));
      assertEquals("0", shared("net_rewrite", "up_close_peer"));
      assertEquals("5", shared("net_rewrite", "down_bytes"));
      assertEquals("8", shared("net_rewrite", "up_bytes"));
      assertEquals(0, h.replica().instance().liveStreams());
    }
  }

  @Test
  void pauseAndCloseFromTheModule() {
    try (PluginHarness h = plugin("net_pause", "hold=6;close=QUIT")) {
      TestNetworkHost host = new TestNetworkHost();
      connection(h, host, s -> {
        s.onNewConnection();
        host.downstream = bytes("abc");
        assertEquals(NetworkFilterStatus.STOP_ITERATION, s.onDownstreamData(3, false));
        host.downstream.append("def".getBytes(StandardCharsets.UTF_8));
        assertEquals(NetworkFilterStatus.CONTINUE, s.onDownstreamData(6, false));
        assertEquals("6", shared("net_pause", "down_bytes"));
        host.downstream = bytes("QUIT");
        assertEquals(NetworkFilterStatus.STOP_ITERATION, s.onDownstreamData(4, false));
        s.onDestroy();
      });
      assertEquals(java.util.List.of(StreamType.DOWNSTREAM), host.closed);
      assertEquals("1", shared("net_pause", "closed"), "on_log ran when the connection was destroyed");
    }
  }

  @Test
  void aTrapClosesTheConnectionWhenFailClosedAndPassesWhenFailOpen() {
    try (PluginHarness closed = PluginHarness.create("tcp_filter",
            b -> b.vmId("net_trap_c").pluginConfiguration("trap=BOOM"));
        PluginHarness open = PluginHarness.create("tcp_filter",
            b -> b.vmId("net_trap_o").pluginConfiguration("trap=BOOM;upper=1").failurePolicy(FailurePolicy.FAIL_OPEN))) {
      TestNetworkHost c = new TestNetworkHost();
      connection(closed, c, s -> {
        s.onNewConnection();
        c.downstream = bytes("BOOM");
        assertEquals(NetworkFilterStatus.STOP_ITERATION, s.onDownstreamData(4, false));
        s.onDestroy();
      });
      assertEquals(java.util.List.of(StreamType.DOWNSTREAM), c.closed);
      assertEquals(1, closed.plugin.stats().failClosed.value());

      TestNetworkHost o = new TestNetworkHost();
      connection(open, o, s -> {
        s.onNewConnection();
        o.downstream = bytes("boom BOOM");
        assertEquals(NetworkFilterStatus.CONTINUE, s.onDownstreamData(9, false));
        o.downstream = bytes("abc");
        assertEquals(NetworkFilterStatus.CONTINUE, s.onDownstreamData(3, false));
        assertEquals("abc", text(o.downstream), "the failed VM no longer touches the bytes");
        s.onDestroy();
      });
      assertTrue(o.closed.isEmpty());
      assertEquals(1, open.plugin.stats().failOpen.value());
      // A new connection on the failed replica has no VM: fail-open lets the data plane skip the filter.
      connection(open, new TestNetworkHost(), s -> {
        assertTrue(s.isPassThrough());
        s.onDestroy();
      });
      connection(closed, new TestNetworkHost(), s -> assertFalse(s.isPassThrough()));
    }
  }
}
