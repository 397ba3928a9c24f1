package dev.xdsdp.dataplane.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.network.ConnectionEvent;
import dev.xdsdp.api.network.NetworkFilter;
import dev.xdsdp.api.network.NetworkFilterCallbacks;
import dev.xdsdp.api.network.NetworkFilterStatus;
import dev.xdsdp.dataplane.http.VertxDispatcher;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The network filter chain of a raw connection over a real socket: callback order, a paused
 * filter seeing everything since on its next call, {@code continueReading}, the write chain in
 * reverse, and the close reaching every filter before it is destroyed.
 */
class TcpConnectionTest {

  Vertx vertx;
  NetServer server;
  final List<String> events = new CopyOnWriteArrayList<>();
  volatile Supplier<List<NetworkFilter>> chain;
  final CountDownLatch destroyed = new CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createNetServer().connectHandler(socket -> {
      TcpConnection c = new TcpConnection(socket, "test", null, null, chain.get(),
          new VertxDispatcher(Vertx.currentContext()), destroyed::countDown);
      c.start();
    });
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    vertx.close();
  }

  void awaitEvent(String event) throws InterruptedException {
    for (int i = 0; i < 500 && !events.contains(event); i++) {
      Thread.sleep(10);
    }
    assertTrue(events.contains(event), event + " in " + events);
  }

  static String text(BodyBuffer b) {
    return new String(b.toByteArray(), StandardCharsets.UTF_8);
  }

  /** Records its callbacks; pauses reads until it has seen {@code holdUntil} bytes. */
  final class Recording implements NetworkFilter {
    final String name;
    final int holdUntil;
    NetworkFilterCallbacks cb;

    Recording(String name, int holdUntil) {
      this.name = name;
      this.holdUntil = holdUntil;
    }

    @Override
    public void initialize(NetworkFilterCallbacks callbacks) {
      cb = callbacks;
      events.add(name + ".init");
    }

    @Override
    public NetworkFilterStatus onNewConnection() {
      events.add(name + ".new");
      return NetworkFilterStatus.CONTINUE;
    }

    @Override
    public NetworkFilterStatus onData(BodyBuffer data, boolean endStream) {
      events.add(name + ".data(" + text(data) + (endStream ? ",end" : "") + ")");
      return data.length() < holdUntil && !endStream ? NetworkFilterStatus.STOP_ITERATION : NetworkFilterStatus.CONTINUE;
    }

    @Override
    public NetworkFilterStatus onWrite(BodyBuffer data, boolean endStream) {
      events.add(name + ".write(" + text(data) + ")");
      data.prepend(name.getBytes(StandardCharsets.UTF_8));
      return NetworkFilterStatus.CONTINUE;
    }

    @Override
    public void onEvent(ConnectionEvent event) {
      events.add(name + "." + event);
    }

    @Override
    public void onDestroy() {
      events.add(name + ".destroy");
    }
  }

  /** A terminal filter that answers each chunk with "<chunk>!" and closes on "bye". */
  final class Echo implements NetworkFilter {
    NetworkFilterCallbacks cb;

    @Override
    public void initialize(NetworkFilterCallbacks callbacks) {
      cb = callbacks;
    }

    @Override
    public NetworkFilterStatus onData(BodyBuffer data, boolean endStream) {
      String in = text(data);
      data.clear();
      events.add("echo.data(" + in + ")");
      if (!in.isEmpty()) {
        cb.write(BodyBuffer.wrap((in + "!").getBytes(StandardCharsets.UTF_8)), in.contains("bye"));
      }
      return NetworkFilterStatus.STOP_ITERATION;
    }

    @Override
    public void onDestroy() {
      events.add("echo.destroy");
    }
  }

  @Test
  void readsGoForwardWritesGoBackAndAPausedFilterSeesEverythingSince() throws Exception {
    chain = () -> List.of(new Recording("a", 0), new Recording("b", 6), new Echo());
    try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
      s.setSoTimeout(5000);
      s.setTcpNoDelay(true);
      s.getOutputStream().write("abc".getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      awaitEvent("b.data(abc)"); // b holds the three bytes
      s.getOutputStream().write("def bye".getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      // The write chain runs b then a, each putting its name in front; "bye" closes after the flush.
      assertEquals("ababcdef bye!", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertTrue(destroyed.await(5, TimeUnit.SECONDS));
    assertEquals(List.of(
        "a.init", "b.init", "a.new", "b.new",
        "a.data(abc)", "b.data(abc)",
        // The next read starts over at the first filter with the bytes b kept.
        "a.data(abcdef bye)", "b.data(abcdef bye)", "echo.data(abcdef bye)",
        "b.write(abcdef bye!)", "a.write(babcdef bye!)",
        "a.LOCAL_CLOSE", "b.LOCAL_CLOSE", "a.destroy", "b.destroy", "echo.destroy"), events);
  }

  @Test
  void thePeerClosingEndsTheStreamThenCloses() throws Exception {
    chain = () -> List.of(new Recording("a", 0), new Echo());
    try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
      s.getOutputStream().write("x".getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      s.setSoTimeout(5000);
      assertEquals("ax!", new String(s.getInputStream().readNBytes(3), StandardCharsets.UTF_8));
    }
    assertTrue(destroyed.await(5, TimeUnit.SECONDS));
    assertEquals(List.of("a.init", "a.new", "a.data(x)", "echo.data(x)", "a.write(x!)",
        "a.data(,end)", "echo.data()", "a.REMOTE_CLOSE", "a.destroy", "echo.destroy"), events);
  }

  @Test
  void continueReadingResumesAfterTheFilterThatStopped() throws Exception {
    CountDownLatch resumed = new CountDownLatch(1);
    chain = () -> List.of(new NetworkFilter() {
      NetworkFilterCallbacks cb;
      boolean allowed;

      @Override
      public void initialize(NetworkFilterCallbacks callbacks) {
        cb = callbacks;
      }

      @Override
      public NetworkFilterStatus onNewConnection() {
        // Hold the chain back (as a filter waiting for an authorization answer), then resume.
        cb.dispatcher().schedule(java.time.Duration.ofMillis(100), () -> {
          events.add("resume");
          allowed = true;
          cb.continueReading();
          resumed.countDown();
        });
        return NetworkFilterStatus.STOP_ITERATION;
      }

      @Override
      public NetworkFilterStatus onData(BodyBuffer data, boolean endStream) {
        // As in Envoy, holding a connection back means stopping the data callbacks too.
        return allowed ? NetworkFilterStatus.CONTINUE : NetworkFilterStatus.STOP_ITERATION;
      }
    }, new Echo());
    try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write("hold".getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      assertEquals("hold!", new String(s.getInputStream().readNBytes(5), StandardCharsets.UTF_8));
    }
    assertTrue(resumed.await(5, TimeUnit.SECONDS));
    assertEquals("resume", events.getFirst(), "the terminal filter saw nothing before the resume: " + events);
  }
}
