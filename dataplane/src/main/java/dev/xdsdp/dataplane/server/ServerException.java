package dev.xdsdp.dataplane.server;

/** The server cannot start: the message lists every reason, one per line. */
public final class ServerException extends Exception {

  public ServerException(String message) {
    super(message);
  }

  public ServerException(String message, Throwable cause) {
    super(message, cause);
  }
}
