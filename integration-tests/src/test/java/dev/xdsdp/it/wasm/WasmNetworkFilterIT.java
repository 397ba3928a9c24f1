package dev.xdsdp.it.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.Await;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.TcpClient;
import dev.xdsdp.it.support.TcpEcho;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code envoy.filters.network.wasm} in front of {@code tcp_proxy}, through real sockets to a real
 * TCP echo server, with {@code tcp_filter.wasm}: bytes rewritten both ways and counted, pausing
 * until enough bytes arrived, closing the connection from the module, connection properties, the
 * close callbacks and the failure policies.
 */
class WasmNetworkFilterIT {

  static TcpEcho echo;
  static Dataplane dp;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    echo = TcpEcho.start("");
    dir = Files.createTempDirectory("wasm-net");
    dp = Dataplane.startBootstrap("wasm-network.yaml", Map.of("ECHO", echo.port(), "MODULE", Modules.file(dir, Modules.TCP_FILTER)));
  }

  @AfterAll
  static void stop() {
    dp.close();
    echo.close();
  }

  @Test
  void bytesAreRewrittenBothWaysCountedAndTheConnectionIsSeen() throws Exception {
    // Counters are shared with the other test on "upper": everything is counted from here.
    long echoed = echo.bytes.get();
    long connections = dp.sharedNumber("upper", "connections");
    long down = dp.sharedNumber("upper", "down_bytes");
    long up = dp.sharedNumber("upper", "up_bytes");
    long closed = dp.sharedNumber("upper", "closed");
    long eos = dp.sharedNumber("upper", "eos_down");
    long metric = dp.stat("tcp_filter_bytes");
    int clientPort;
    try (TcpClient c = new TcpClient(dp.port("upper"))) {
      clientPort = c.localPort();
      // Upper-cased on the way up (the echo server sees HELLO), tagged on the way back.
      assertEquals("[w]HELLO", c.roundTrip("hello", "[w]HELLO"));
      assertEquals("[w]WORLD", c.roundTrip("world", "[w]WORLD"));
    }
    assertEquals(10, echo.bytes.get() - echoed);
    Await.until(() -> dp.sharedNumber("upper", "closed") == closed + 1, "the context to end (on_log)");
    assertEquals(connections + 1, dp.sharedNumber("upper", "connections"));
    assertEquals(down + 10, dp.sharedNumber("upper", "down_bytes"));
    assertEquals(up + 16, dp.sharedNumber("upper", "up_bytes"));
    assertEquals("127.0.0.1:" + clientPort, dp.sharedData("upper", "conn_source"));
    assertEquals(String.valueOf(dp.port("upper")), dp.sharedData("upper", "conn_port"));
    assertTrue(Long.parseLong(dp.sharedData("upper", "conn_id")) > 0);
    assertEquals("127.0.0.1:" + echo.port(), dp.sharedData("upper", "last_upstream"));
    // The client closed: end of stream downstream, then the close with peer REMOTE (2).
    assertEquals(eos + 1, dp.sharedNumber("upper", "eos_down"));
    assertEquals("2", dp.sharedData("upper", "down_close_peer"));
    // A module-defined metric lives in the root scope, shared by every plugin that defines it (as in Envoy).
    assertTrue(dp.stat("tcp_filter_bytes") >= metric + 26);
    assertTrue(dp.stat("wasm.upper.vm_calls") >= 6);
  }

  /**
   * The upstream closes first: as in Envoy, the upstream's end of stream reaches the module as
   * proxy_on_upstream_data with end of stream and proxy_on_upstream_connection_close (peer
   * UNKNOWN, 0); tcp_proxy then closes the client, which the module hears as a LOCAL (1) close, and
   * the context ends.
   */
  @Test
  void anUpstreamThatClosesFirstIsReportedThenTheClientIsClosed() throws Exception {
    long closed = dp.sharedNumber("upper", "closed");
    try (TcpClient c = new TcpClient(dp.port("upper"))) {
      assertEquals("[w]BYE", c.roundTrip("bye", "[w]BYE"));
      assertTrue(c.closedByPeer(5000), "the client is closed after the upstream");
    }
    Await.until(() -> dp.sharedNumber("upper", "closed") == closed + 1, "the context to end (on_log)");
    assertEquals("0", dp.sharedData("upper", "up_close_peer"), "proxy_on_upstream_connection_close, peer UNKNOWN");
    assertEquals("1", dp.sharedData("upper", "down_close_peer"), "then the client's close, from our side");
  }

  @Test
  void aPausedFilterSeesEverythingSinceOnItsNextCall() throws Exception {
    // The "hold" VM is shared with the other test on that listener: everything is counted from here.
    long calls = dp.sharedNumber("hold", "down_calls");
    long closed = dp.sharedNumber("hold", "closed");
    long bytes = dp.sharedNumber("hold", "down_bytes");
    try (TcpClient c = new TcpClient(dp.port("hold"))) {
      c.send("abc");
      Await.until(() -> dp.sharedNumber("hold", "down_calls") == calls + 1, "the first data callback");
      c.send("defghijk");
      assertEquals("abcdefghijk", c.read(11));
    }
    Await.until(() -> dp.sharedNumber("hold", "closed") == closed + 1, "the context to end");
    assertEquals(bytes + 11, dp.sharedNumber("hold", "down_bytes"), "passed on once, all eleven bytes together");
  }

  @Test
  void theModuleClosesTheConnection() throws Exception {
    long echoed = echo.bytes.get();
    long closed = dp.sharedNumber("hold", "closed");
    try (TcpClient c = new TcpClient(dp.port("hold"))) {
      c.send("please QUIT now");
      assertTrue(c.closedByPeer(5000));
    }
    assertEquals(echoed, echo.bytes.get(), "nothing reached the upstream");
    // The context still ends as usual (on_log), and its close came from our side: peer LOCAL (1).
    Await.until(() -> dp.sharedNumber("hold", "closed") == closed + 1, "the context to end (on_log)");
    assertEquals("1", dp.sharedData("hold", "down_close_peer"));
  }

  @Test
  void aTrapClosesTheConnectionWhenFailClosed() throws Exception {
    try (TcpClient c = new TcpClient(dp.port("closed"))) {
      assertTrue(c.roundTrip("fine", "fine").equals("fine"));
      c.send("BOOM");
      assertTrue(c.closedByPeer(5000), "fail closed: the connection is closed");
    }
    Await.until(() -> dp.stat("wasm.trap_closed.vm_fail_closed") >= 1, "the fail-closed stat");
    assertTrue(dp.stat("wasm.trap_closed.vm_failed") >= 1);
  }

  @Test
  void aTrapLetsBytesThroughWhenFailOpen() throws Exception {
    try (TcpClient c = new TcpClient(dp.port("open"))) {
      assertEquals("UP", c.roundTrip("up", "UP"));
      assertEquals("boom BOOM", c.roundTrip("boom BOOM", "boom BOOM"), "the trapping chunk goes on unchanged");
      assertEquals("after", c.roundTrip("after", "after"), "the filter no longer touches the bytes");
    }
    Await.until(() -> dp.stat("wasm.trap_open.vm_fail_open") >= 1, "the fail-open stat");
  }
}
