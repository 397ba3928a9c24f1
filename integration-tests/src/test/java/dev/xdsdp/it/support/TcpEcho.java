package dev.xdsdp.it.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real TCP upstream that writes back every byte it reads, with an optional prefix in front of
 * each chunk (so tests can tell which upstream answered). A chunk containing {@code BYE} is echoed
 * and then the upstream closes the connection (the upstream closes first). Counts connections and
 * bytes.
 */
public final class TcpEcho implements AutoCloseable {

  private final Vertx vertx;
  private final NetServer server;
  public final AtomicInteger connections = new AtomicInteger();
  public final AtomicInteger open = new AtomicInteger();
  public final AtomicLong bytes = new AtomicLong();

  private TcpEcho(Vertx vertx, NetServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** An echo server; {@code prefix} (may be empty) is written before each echoed chunk. */
  public static TcpEcho start(String prefix) throws Exception {
    Vertx vertx = Vertx.vertx();
    TcpEcho[] self = new TcpEcho[1];
    NetServer server = vertx.createNetServer().connectHandler(socket -> {
      self[0].connections.incrementAndGet();
      self[0].open.incrementAndGet();
      socket.closeHandler(v -> self[0].open.decrementAndGet());
      socket.handler(data -> {
        self[0].bytes.addAndGet(data.length());
        socket.write(prefix.isEmpty() ? data : Buffer.buffer(prefix).appendBuffer(data));
        if (data.toString().contains("BYE")) {
          socket.close();
        }
      });
    });
    self[0] = new TcpEcho(vertx, server);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return self[0];
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public void close() {
    vertx.close();
  }
}
