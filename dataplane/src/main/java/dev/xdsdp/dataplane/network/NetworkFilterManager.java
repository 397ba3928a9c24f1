package dev.xdsdp.dataplane.network;

import dev.xdsdp.api.filter.FilterDispatcher;
import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.network.ConnectionEvent;
import dev.xdsdp.api.network.NetworkFilter;
import dev.xdsdp.api.network.NetworkFilterCallbacks;
import dev.xdsdp.api.network.NetworkFilterStatus;
import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stream.StreamInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * The network filters of one downstream connection (Envoy's {@code Network::FilterManagerImpl}).
 * Reads go first to last over one read buffer: what a filter leaves in it goes to the next one;
 * a filter that stops keeps the buffer, and the next socket read appends to it and starts over
 * from the first filter (so a paused filter sees everything since), as in Envoy. Writes go last
 * to first over one write buffer with the same rule. Runs on the connection's event loop only.
 */
final class NetworkFilterManager {

  private static final System.Logger LOG = System.getLogger("connection");

  private final TcpConnection connection;
  private final List<Entry> entries = new ArrayList<>();
  private final BodyBuffer readBuffer = BodyBuffer.create();
  private final BodyBuffer writeBuffer = BodyBuffer.create();
  private boolean readEnd;
  private boolean writeEnd;
  private boolean destroyed;

  NetworkFilterManager(TcpConnection connection, List<NetworkFilter> filters) {
    this.connection = connection;
    for (NetworkFilter f : filters) {
      entries.add(new Entry(f, entries.size()));
    }
  }

  /** Gives each filter its callbacks, then runs {@code onNewConnection} down the chain. */
  void start() {
    for (Entry e : entries) {
      try {
        e.filter.initialize(e);
      } catch (RuntimeException ex) {
        fail(e, ex);
        return;
      }
    }
    iterateRead(0);
  }

  /** Bytes (possibly none) read from the socket; {@code end} once the peer is done. */
  void onRead(byte[] bytes, boolean end) {
    if (bytes.length > 0) {
      readBuffer.append(bytes);
    }
    if (end) {
      readEnd = true;
    }
    iterateRead(0);
  }

  private void iterateRead(int from) {
    for (int i = from; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (destroyed) {
        return;
      }
      NetworkFilterStatus status;
      try {
        if (!e.newConnectionSent) {
          e.newConnectionSent = true;
          status = e.filter.onNewConnection();
          if (status == NetworkFilterStatus.STOP_ITERATION || connection.closing()) {
            return;
          }
        }
        boolean end = readEnd && !e.endSeen;
        if (readBuffer.isEmpty() && !end) {
          continue;
        }
        e.endSeen |= end;
        status = e.filter.onData(readBuffer, end);
      } catch (RuntimeException ex) {
        fail(e, ex);
        return;
      }
      if (status == NetworkFilterStatus.STOP_ITERATION) {
        return;
      }
    }
  }

  /** A filter writes towards the downstream: the write chain runs last to first, then the socket. */
  void write(BodyBuffer data, boolean end) {
    if (destroyed || connection.closed()) {
      data.clear();
      return;
    }
    writeBuffer.append(data.toByteArray());
    data.clear();
    if (end) {
      writeEnd = true;
    }
    for (int i = entries.size() - 1; i >= 0; i--) {
      Entry e = entries.get(i);
      NetworkFilterStatus status;
      try {
        status = e.filter.onWrite(writeBuffer, writeEnd);
      } catch (RuntimeException ex) {
        fail(e, ex);
        return;
      }
      if (status == NetworkFilterStatus.STOP_ITERATION) {
        return;
      }
    }
    byte[] out = writeBuffer.toByteArray();
    writeBuffer.clear();
    connection.writeToSocket(out, writeEnd);
  }

  void onHighWatermark() {
    for (Entry e : entries) {
      e.filter.onAboveWriteBufferHighWatermark();
    }
  }

  void onLowWatermark() {
    for (Entry e : entries) {
      e.filter.onBelowWriteBufferLowWatermark();
    }
  }

  /** The connection closed: every filter hears it, then every filter is destroyed. */
  void onClose(ConnectionEvent event) {
    if (destroyed) {
      return;
    }
    for (Entry e : entries) {
      try {
        e.filter.onEvent(event);
      } catch (RuntimeException ex) {
        LOG.log(System.Logger.Level.WARNING, "network filter " + e.filter + " failed on " + event, ex);
      }
    }
    destroyed = true;
    for (Entry e : entries) {
      try {
        e.filter.onDestroy();
      } catch (RuntimeException ex) {
        LOG.log(System.Logger.Level.WARNING, "network filter " + e.filter + " failed while destroyed", ex);
      }
    }
  }

  private void fail(Entry e, RuntimeException ex) {
    LOG.log(System.Logger.Level.WARNING, "network filter " + e.filter + " failed; closing connection "
        + connection.id(), ex);
    connection.close(false);
  }

  /** One filter's place in the chain and its view of the connection. */
  private final class Entry implements NetworkFilterCallbacks {
    final NetworkFilter filter;
    final int index;
    boolean newConnectionSent;
    boolean endSeen;

    Entry(NetworkFilter filter, int index) {
      this.filter = filter;
      this.index = index;
    }

    @Override
    public long connectionId() {
      return connection.id();
    }

    @Override
    public StreamInfo streamInfo() {
      return connection.streamInfo();
    }

    @Override
    public FilterDispatcher dispatcher() {
      return connection.dispatcher();
    }

    @Override
    public void continueReading() {
      if (!destroyed) {
        iterateRead(index + 1);
      }
    }

    @Override
    public void write(BodyBuffer data, boolean endStream) {
      NetworkFilterManager.this.write(data, endStream);
    }

    @Override
    public void close(boolean flush) {
      connection.close(flush);
    }

    @Override
    public void readDisable(boolean disable) {
      connection.readDisable(disable);
    }

    @Override
    public boolean closed() {
      return connection.closing();
    }

    @Override
    public void setConnectionStats(Counter rxBytesTotal, Counter txBytesTotal) {
      connection.setConnectionStats(rxBytesTotal, txBytesTotal);
    }
  }
}
