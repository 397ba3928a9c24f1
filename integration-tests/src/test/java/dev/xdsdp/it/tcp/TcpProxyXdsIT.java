package dev.xdsdp.it.tcp;

import static dev.xdsdp.xds.testing.XdsTestResources.bootstrap;
import static dev.xdsdp.xds.testing.XdsTestResources.staticCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.TcpClient;
import dev.xdsdp.it.support.TcpEcho;
import dev.xdsdp.xds.testing.TestControlPlane;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TCP proxy listeners from a real control plane (java-control-plane over ADS): added, updated in
 * place (new connections take the new chain, old ones are closed when the drain time is up), and
 * removed (the port stops accepting, open connections drain).
 */
class TcpProxyXdsIT {

  TcpEcho a;
  TcpEcho b;
  TestControlPlane cp;
  Dataplane dp;
  int port;

  @BeforeEach
  void start() throws Exception {
    a = TcpEcho.start("a:");
    b = TcpEcho.start("b:");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    cp = TestControlPlane.startTcp();
  }

  @AfterEach
  void stop() {
    if (dp != null) {
      dp.close();
    }
    cp.close();
    a.close();
    b.close();
  }

  static Listener tcpListener(String name, int port, String cluster) {
    TcpProxy proxy = TcpProxy.newBuilder().setStatPrefix(name).setCluster(cluster).build();
    return Listener.newBuilder()
        .setName(name)
        .setAddress(Address.newBuilder().setSocketAddress(
            SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(port)))
        .addFilterChains(FilterChain.newBuilder().addFilters(
            Filter.newBuilder().setName("envoy.filters.network.tcp_proxy").setTypedConfig(Any.pack(proxy))))
        .build();
  }

  void serve(String version, String cluster) {
    cp.setSnapshot(version, List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
        List.of(tcpListener("raw", port, cluster)), List.of());
  }

  /** The upstream that answers a new connection: "a" or "b". */
  String who() throws IOException {
    try (TcpClient c = new TcpClient(port)) {
      return c.send("?").read(3).substring(0, 1);
    }
  }

  static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void addedUpdatedInPlaceAndRemoved() throws Exception {
    serve("1", "ca");
    dp = Dataplane.start(bootstrap(cp, false, 0), "--drain-time-s", "1");
    assertTrue(dp.server().awaitLive(Duration.ofSeconds(20)));
    assertEquals("a", who());

    try (TcpClient old = new TcpClient(port)) {
      assertEquals("a:1", old.roundTrip("1", "a:1"));
      serve("2", "cb");
      await(() -> {
        try {
          return who().equals("b");
        } catch (IOException e) {
          return false;
        }
      }, "new connections to go to cluster cb");
      assertEquals(1, dp.stat("listener_manager.listener_in_place_updated"));
      // The connection accepted under the old chain still works, until the drain time is up.
      assertEquals("a:2", old.roundTrip("2", "a:2"));
      assertTrue(old.closedByPeer(5000), "the old chain's connection is closed after --drain-time-s");
    }

    try (TcpClient open = new TcpClient(port)) {
      assertEquals("b:3", open.roundTrip("3", "b:3"));
      cp.setSnapshot("3", List.of(staticCluster("ca", a.port()), staticCluster("cb", b.port())), List.of(),
          List.of(), List.of());
      await(() -> dp.server().listeners().isEmpty(), "the listener to be removed");
      // The sockets of every worker close shortly after: then the port no longer accepts.
      await(() -> {
        try {
          new TcpClient(port).close();
          return false;
        } catch (IOException e) {
          return true;
        }
      }, "the port to stop accepting");
      assertFalse(open.closedByPeer(300), "an open connection drains");
      assertEquals("b:4", open.roundTrip("4", "b:4"));
      assertTrue(open.closedByPeer(5000), "and is closed after --drain-time-s");
    }
    await(() -> b.open.get() == 0, "the upstream connections to close");
  }
}
