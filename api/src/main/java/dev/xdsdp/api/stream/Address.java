package dev.xdsdp.api.stream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A socket address as Envoy prints it: {@code 10.0.0.1:8080}, {@code [::1]:8080}, or a Unix
 * socket path for pipes.
 *
 * @param ip the IP literal, or null for a pipe
 * @param port the port, 0 for a pipe
 * @param pipePath the Unix socket path, or null for an IP address
 */
public record Address(String ip, int port, String pipePath) {

  public Address {
    if ((ip == null) == (pipePath == null)) {
      throw new IllegalArgumentException("exactly one of ip and pipePath must be set");
    }
  }

  public static Address ofIp(String ip, int port) {
    return new Address(Objects.requireNonNull(ip), port, null);
  }

  public static Address ofPipe(String path) {
    return new Address(null, 0, Objects.requireNonNull(path));
  }

  /** The address of {@code socket}, or null when it is unresolved or null. */
  public static Address of(InetSocketAddress socket) {
    if (socket == null) {
      return null;
    }
    InetAddress addr = socket.getAddress();
    if (addr == null) {
      return null;
    }
    return ofIp(addr.getHostAddress(), socket.getPort());
  }

  public boolean isPipe() {
    return pipePath != null;
  }

  /** The host part as Envoy prints it without the port ({@code %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%}). */
  public String host() {
    return isPipe() ? pipePath : ip;
  }

  @Override
  public String toString() {
    if (isPipe()) {
      return pipePath;
    }
    return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
  }
}
