package dev.xdsdp.dataplane.upstream;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Envoy's HTTP/2 pool puts the streams that arrive while a connection to a host is being
 * established on that connection (a connecting HTTP/2 connection counts for its stream capacity),
 * so a burst of requests to a cold host opens one connection, or as many as the peer's
 * SETTINGS_MAX_CONCURRENT_STREAMS requires. Vert.x's pool opens one connection per request that
 * finds no connected capacity, up to the pool's maximum: a burst of 160 streams opened 160
 * connections. This gate sits in front of the HTTP/2 pool: while a host has no usable connection
 * and one is being made, further requests to it wait for that connect; then as many as the new
 * connection has room for go to the pool, and the next one opens another connection for the
 * rest. If the connect fails, the waiting requests fail with it, as Envoy's pending streams do;
 * if it takes longer than the cluster's connect timeout, they go to the pool on their own.
 *
 * <p>Only the cold start is gated: a host with a usable connection whose streams are all taken
 * still gets a new connection per request from Vert.x.
 */
final class Http2ConnectGate {

  private final Duration connectTimeout;
  private final int maxStreamsPerConnection;
  private final Map<String, HostState> hosts = new HashMap<>();

  private static final class HostState {
    /** Connections neither closed nor told to go away. */
    int usableConnections;
    /** The request whose connect the waiters wait for, or null. */
    Object opener;
    final List<Waiter> waiters = new ArrayList<>();
  }

  private record Waiter(Context context, RequestOptions options, Promise<HttpClientRequest> promise) {}

  Http2ConnectGate(Duration connectTimeout, int maxStreamsPerConnection) {
    this.connectTimeout = connectTimeout;
    this.maxStreamsPerConnection = maxStreamsPerConnection;
  }

  /** Starts a request through {@code client} once the gate lets it go. */
  Future<HttpClientRequest> request(HttpClientAgent client, RequestOptions options) {
    String key = options.getServer() instanceof SocketAddress server ? key(server) : null;
    Context context = Vertx.currentContext();
    if (key == null || context == null) {
      return start(client, options);
    }
    Object opener = null;
    synchronized (this) {
      HostState host = hosts.computeIfAbsent(key, k -> new HostState());
      if (host.usableConnections == 0) {
        if (host.opener != null) {
          Promise<HttpClientRequest> promise = Promise.promise();
          host.waiters.add(new Waiter(context, options, promise));
          return promise.future();
        }
        opener = new Object();
        host.opener = opener;
      }
    }
    return opener == null ? start(client, options) : open(client, key, opener, context, options);
  }

  /** Counts a new connection of the HTTP/2 pool; returns what to run when it closes. */
  Runnable onConnection(HttpConnection connection) {
    String key = key(connection.remoteAddress());
    if (key == null) {
      return () -> {};
    }
    synchronized (this) {
      HostState host = hosts.computeIfAbsent(key, k -> new HostState());
      host.usableConnections++;
    }
    AtomicBoolean counted = new AtomicBoolean(true);
    Runnable unusable = () -> {
      if (counted.compareAndSet(true, false)) {
        synchronized (this) {
          HostState host = hosts.get(key);
          if (host != null) {
            host.usableConnections--;
            if (host.usableConnections <= 0 && host.opener == null && host.waiters.isEmpty()) {
              hosts.remove(key);
            }
          }
        }
      }
    };
    // A connection told to go away takes no new streams: the next burst is gated again.
    connection.goAwayHandler(goAway -> unusable.run());
    return unusable;
  }

  private Future<HttpClientRequest> open(HttpClientAgent client, String key, Object opener, Context context,
      RequestOptions options) {
    long timer = context.owner().setTimer(Math.max(1, connectTimeout.toMillis()),
        t -> release(client, key, opener, Long.MAX_VALUE, null));
    Future<HttpClientRequest> started = start(client, options);
    started.onComplete(ar -> {
      context.owner().cancelTimer(timer);
      if (ar.succeeded()) {
        // Read from the opener's own connection: the pool's connect handler, which counts the
        // connection, may run after this.
        release(client, key, opener, capacity(ar.result().connection()), null);
      } else {
        release(client, key, opener, Long.MAX_VALUE, ar.cause());
      }
    });
    return started;
  }

  /**
   * Ends the wait for {@code opener}'s connect: on success as many waiters as the new connection
   * has room for go to the pool and the next one opens another connection; on failure they fail
   * with it; after the connect timeout they all go to the pool on their own.
   */
  private void release(HttpClientAgent client, String key, Object opener, long room, Throwable failure) {
    List<Waiter> released;
    Waiter nextOpener = null;
    Object nextOpenerToken = null;
    synchronized (this) {
      HostState host = hosts.get(key);
      if (host == null || host.opener != opener) {
        return; // already released (timed out, then completed)
      }
      host.opener = null;
      int going = (int) Math.min(room, host.waiters.size());
      released = new ArrayList<>(host.waiters.subList(0, going));
      host.waiters.subList(0, going).clear();
      if (!host.waiters.isEmpty()) {
        nextOpener = host.waiters.remove(0);
        nextOpenerToken = new Object();
        host.opener = nextOpenerToken;
      } else if (host.usableConnections <= 0) {
        hosts.remove(key); // a host that never connected (or no longer is) keeps no state
      }
    }
    for (Waiter w : released) {
      if (failure != null) {
        w.context().runOnContext(v -> w.promise().fail(new SharedConnectFailure(failure)));
      } else {
        // The request is made on the waiter's own event loop, which its stream belongs to.
        w.context().runOnContext(v -> start(client, w.options()).onComplete(w.promise()));
      }
    }
    if (nextOpener != null) {
      Waiter w = nextOpener;
      Object token = nextOpenerToken;
      w.context().runOnContext(v -> open(client, key, token, w.context(), w.options()).onComplete(w.promise()));
    }
  }

  /**
   * How many more streams the opener's connection takes besides the opener's: the peer's
   * SETTINGS_MAX_CONCURRENT_STREAMS (known once the connection is handed out), capped by ours.
   */
  private long capacity(HttpConnection connection) {
    long peerLimit = connection.remoteSettings() instanceof Http2Settings peer
        ? peer.getMaxConcurrentStreams() : Long.MAX_VALUE;
    return Math.max(0, Math.min(peerLimit, maxStreamsPerConnection) - 1);
  }

  /** The pool's request, with a refusal (a shut-down pool throws) as a failed future. */
  static Future<HttpClientRequest> start(HttpClientAgent client, RequestOptions options) {
    try {
      return client.request(options);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The host a request goes to or a connection is with, the same for both ("ip:port"). */
  private static String key(SocketAddress address) {
    if (address == null) {
      return null;
    }
    if (address.isDomainSocket()) {
      return "unix:" + address.path();
    }
    String ip = address.hostAddress() != null ? address.hostAddress() : address.host();
    if (ip == null) {
      return null;
    }
    if (ip.indexOf(':') >= 0) {
      // One spelling per IPv6 address: a request names "::1", the connection "0:0:0:0:0:0:0:1".
      try {
        ip = InetAddress.ofLiteral(ip).getHostAddress();
      } catch (IllegalArgumentException notALiteral) {
        // kept as it is
      }
    }
    return ip + ":" + address.port();
  }
}
