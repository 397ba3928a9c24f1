package dev.xdsdp.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A blocking TCP client for tests: send bytes, read what comes back, tell when the peer closed. */
public final class TcpClient implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;

  public TcpClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(5000);
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
  }

  /** The client's own port (the proxy sees it as source.port). */
  public int localPort() {
    return socket.getLocalPort();
  }

  public TcpClient send(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
    return this;
  }

  /** Reads until {@code n} bytes arrived (or the peer closed), as text. */
  public String read(int n) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (out.size() < n) {
      int r = in.read(buf, 0, Math.min(buf.length, n - out.size()));
      if (r < 0) {
        break;
      }
      out.write(buf, 0, r);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Sends {@code text} and reads as many bytes as {@code expected} has. */
  public String roundTrip(String text, String expected) throws IOException {
    send(text);
    return read(expected.getBytes(StandardCharsets.UTF_8).length);
  }

  /**
   * Waits up to {@code millis} for the peer to close; true when it did (reads nothing more).
   * Bytes that arrive meanwhile are discarded.
   */
  public boolean closedByPeer(long millis) throws IOException {
    long deadline = System.currentTimeMillis() + millis;
    byte[] buf = new byte[1024];
    while (System.currentTimeMillis() < deadline) {
      socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
      try {
        if (in.read(buf) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true; // reset
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
