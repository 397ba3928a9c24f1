package dev.xdsdp.dataplane.network;

import dev.xdsdp.api.filter.FilterDispatcher;
import dev.xdsdp.api.network.ConnectionEvent;
import dev.xdsdp.api.network.NetworkFilter;
import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.dataplane.http.StreamInfoImpl;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One accepted raw TCP connection and its network filter chain (Envoy's {@code ConnectionImpl}
 * with its filter manager): socket reads go through the read filters, filter writes through the
 * write filters to the socket; closes become {@link ConnectionEvent}s. Lives on the event loop
 * that accepted it; every method runs there.
 */
public final class TcpConnection {

  private static final System.Logger LOG = System.getLogger("connection");
  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final NetSocket socket;
  private final StreamInfoImpl info;
  private final FilterDispatcher dispatcher;
  private final NetworkFilterManager filters;
  private final Runnable onClosed;
  private int readDisabled;
  private boolean closing;
  private boolean closed;
  private boolean localClose;
  private boolean aboveHighWatermark;
  private Counter rxBytes;
  private Counter txBytes;

  /**
   * @param listenerName the listener that accepted it (stream info, logs)
   * @param onClosed runs once, after the filters are destroyed
   */
  public TcpConnection(NetSocket socket, String listenerName, Address remote, Address local,
      List<NetworkFilter> filters, FilterDispatcher dispatcher, Runnable onClosed) {
    this.socket = socket;
    this.dispatcher = dispatcher;
    this.onClosed = onClosed;
    this.info = new StreamInfoImpl(null, id, listenerName, remote, local, "");
    this.filters = new NetworkFilterManager(this, filters);
  }

  /** Starts reading and runs {@code onNewConnection} through the chain. */
  public void start() {
    socket.handler(this::onSocketData);
    socket.closeHandler(v -> onSocketClosed());
    socket.exceptionHandler(e -> LOG.log(System.Logger.Level.DEBUG, "connection " + id + ": " + e));
    socket.drainHandler(v -> {
      if (aboveHighWatermark) {
        aboveHighWatermark = false;
        filters.onLowWatermark();
      }
    });
    // Draining a listener ends connections only when the drain time is up, as in Envoy.
    socket.shutdownHandler(timeout -> {});
    filters.start();
  }

  public long id() {
    return id;
  }

  public StreamInfoImpl streamInfo() {
    return info;
  }

  FilterDispatcher dispatcher() {
    return dispatcher;
  }

  /** True once a close was asked for or happened. */
  public boolean closing() {
    return closing || closed;
  }

  /** True once the socket is closed. */
  public boolean closed() {
    return closed;
  }

  void setConnectionStats(Counter rx, Counter tx) {
    this.rxBytes = rx;
    this.txBytes = tx;
  }

  private void onSocketData(Buffer data) {
    byte[] bytes = data.getBytes();
    info.addBytesReceived(bytes.length);
    if (rxBytes != null) {
      rxBytes.add(bytes.length);
    }
    filters.onRead(bytes, false);
  }

  /** Writes what the write chain let through; {@code end} closes after the flush. */
  void writeToSocket(byte[] data, boolean end) {
    if (closing()) {
      return;
    }
    if (data.length > 0) {
      socket.write(Buffer.buffer(data));
      info.addBytesSent(data.length);
      if (txBytes != null) {
        txBytes.add(data.length);
      }
      if (!aboveHighWatermark && socket.writeQueueFull()) {
        aboveHighWatermark = true;
        filters.onHighWatermark();
      }
    }
    if (end) {
      close(true);
    }
  }

  /** Stops or resumes reading; nested like Envoy's {@code readDisable}. */
  void readDisable(boolean disable) {
    if (closed) {
      return;
    }
    if (disable) {
      if (readDisabled++ == 0) {
        socket.pause();
      }
    } else if (readDisabled > 0 && --readDisabled == 0) {
      socket.resume();
    }
  }

  /**
   * Closes the socket. Vert.x writes what is queued before it closes, so {@code flush} and not
   * differ only in intent here.
   */
  public void close(boolean flush) {
    if (closing()) {
      return;
    }
    closing = true;
    localClose = true;
    // Without this, Vert.x would hand our own close to the drain handler below and wait.
    socket.shutdownHandler(null);
    socket.close();
  }

  private void onSocketClosed() {
    if (closed) {
      return;
    }
    boolean remote = !localClose;
    closed = true;
    if (remote) {
      // The peer is done: the chain sees the end of the stream (Envoy's end_stream on a FIN), then the close.
      filters.onRead(new byte[0], true);
    }
    info.onRequestComplete();
    filters.onClose(remote ? ConnectionEvent.REMOTE_CLOSE : ConnectionEvent.LOCAL_CLOSE);
    onClosed.run();
  }
}
