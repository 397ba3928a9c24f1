package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.stream.Address;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One accepted downstream connection: its id, addresses and the connection manager its filter chain
 * chose. Lives on one event loop.
 */
public final class DownstreamConnection {

  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final Address remote;
  private final Address local;
  private final HttpConnectionManager hcm;
  private final VertxDispatcher dispatcher;
  private int activeStreams;
  private boolean draining;
  private boolean closeAnnounced;

  public DownstreamConnection(Address remote, Address local, HttpConnectionManager hcm, VertxDispatcher dispatcher) {
    this.remote = remote;
    this.local = local;
    this.hcm = hcm;
    this.dispatcher = dispatcher;
  }

  public long id() {
    return id;
  }

  public Address remote() {
    return remote;
  }

  public Address local() {
    return local;
  }

  public HttpConnectionManager hcm() {
    return hcm;
  }

  public VertxDispatcher dispatcher() {
    return dispatcher;
  }

  void onStreamStart() {
    activeStreams++;
  }

  void onStreamEnd() {
    activeStreams--;
  }

  public int activeStreams() {
    return activeStreams;
  }

  /** Its listener is draining it: HTTP/1.1 responses say {@code connection: close}, as Envoy's do. */
  public void startDraining() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  /** A response said {@code connection: close}: the connection closes once it is written. */
  void announceClose() {
    closeAnnounced = true;
  }

  /**
   * True once a response announced the close: a request pipelined behind it is not served, as the
   * client, told the connection closes, will send it again elsewhere.
   */
  public boolean closeAnnounced() {
    return closeAnnounced;
  }
}
