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
import io.vertx.core.http.HttpClientResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Envoy's HTTP/2 pool counts the stream capacity of a host's connections, including the ones
 * being established, and opens a connection only for the streams that do not fit: a burst of
 * requests opens one connection, or as many as the peer's SETTINGS_MAX_CONCURRENT_STREAMS requires.
 * Vert.x's pool opens one connection per request that finds no connected capacity, up to the
 * pool's maximum: a burst of 160 streams opened 160 connections, and a burst that outgrew a warm
 * connection one connection per stream beyond it. This gate sits in front of the HTTP/2 pool and
 * counts, per host, the streams it let through that have not ended against the capacity of the
 * connections it saw connect. A request that fits goes to the pool; one that does not waits for the
 * connection being opened, or opens one. When that connection is up, the waiters it has room for
 * go to the pool and the next one opens another; a stream that ends lets the first waiter through.
 * If the connect fails, the waiters fail with it, as Envoy's pending streams do; if it takes longer
 * than the cluster's connect timeout, they go to the pool on their own.
 */
final class Http2ConnectGate {

  private final Duration connectTimeout;
  private final int maxStreamsPerConnection;
  private final Map<String, HostState> hosts = new HashMap<>();

  private static final class HostState {
    /** Streams of the host's usable connections together (closed or told to go away: not counted). */
    long capacity;
    /** Streams let through to the pool, including the openers', that have not ended. */
    long active;
    /** The request whose connect the waiters wait for, or null. */
    Object opener;
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    boolean idle() {
      return capacity <= 0 && active <= 0 && opener == null && waiters.isEmpty();
    }
  }

  private record Waiter(Context context, RequestOptions options, Promise<HttpClientRequest> promise) {}

  Http2ConnectGate(Duration connectTimeout, int maxStreamsPerConnection) {
    this.connectTimeout = connectTimeout;
    this.maxStreamsPerConnection = maxStreamsPerConnection;
  }

  /** Starts a request to the host {@code key} ({@link #key}) through {@code client} once the gate lets it go. */
  Future<HttpClientRequest> request(HttpClientAgent client, RequestOptions options, String key) {
    Context context = Vertx.currentContext();
    if (key == null || context == null) {
      return start(client, options);
    }
    HostState host;
    Object opener;
    synchronized (this) {
      host = hosts.computeIfAbsent(key, k -> new HostState());
      if (host.waiters.isEmpty() && host.active < host.capacity) {
        host.active++;
        opener = null;
      } else if (host.opener != null) {
        Promise<HttpClientRequest> promise = Promise.promise();
        host.waiters.add(new Waiter(context, options, promise));
        return promise.future();
      } else {
        host.active++;
        opener = new Object();
        host.opener = opener;
      }
    }
    return opener == null ? admitted(client, key, host, options) : open(client, key, host, opener, context, options);
  }

  /** Counts a new connection of the HTTP/2 pool; returns what to run when it closes. */
  Runnable onConnection(HttpConnection connection) {
    String key = key(connection.remoteAddress());
    if (key == null) {
      return () -> {};
    }
    long streams = concurrency(connection);
    HostState host;
    synchronized (this) {
      host = hosts.computeIfAbsent(key, k -> new HostState());
      host.capacity += streams;
    }
    AtomicBoolean counted = new AtomicBoolean(true);
    Runnable unusable = () -> {
      if (counted.compareAndSet(true, false)) {
        synchronized (this) {
          host.capacity -= streams;
          forgetIfIdle(key, host);
        }
      }
    };
    // A connection told to go away takes no new streams.
    connection.goAwayHandler(goAway -> unusable.run());
    return unusable;
  }

  /** The pool's request for a stream the gate counted; the count ends with the stream. */
  private Future<HttpClientRequest> admitted(HttpClientAgent client, String key, HostState host, RequestOptions options) {
    Future<HttpClientRequest> started = start(client, options);
    started.onComplete(ar -> {
      if (ar.failed()) {
        streamEnded(client, key, host);
      } else {
        ar.result().response().compose(HttpClientResponse::end).onComplete(done -> streamEnded(client, key, host));
      }
    });
    return started;
  }

  private void streamEnded(HttpClientAgent client, String key, HostState host) {
    List<Waiter> admitted;
    synchronized (this) {
      host.active--;
      admitted = admitWaiters(host, host.capacity);
      forgetIfIdle(key, host);
    }
    admitted.forEach(w -> w.context().runOnContext(v -> admitted(client, key, host, w.options()).onComplete(w.promise())));
  }

  /** Takes, in order, the waiters that fit below {@code limit} streams, counting them. */
  private static List<Waiter> admitWaiters(HostState host, long limit) {
    if (host.waiters.isEmpty() || host.active >= limit) {
      return List.of(); // the common case, once per stream
    }
    List<Waiter> admitted = new ArrayList<>();
    while (!host.waiters.isEmpty() && host.active < limit) {
      admitted.add(host.waiters.poll());
      host.active++;
    }
    return admitted;
  }

  private void forgetIfIdle(String key, HostState host) {
    if (host.idle() && hosts.get(key) == host) {
      hosts.remove(key);
    }
  }

  private Future<HttpClientRequest> open(HttpClientAgent client, String key, HostState host, Object opener,
      Context context, RequestOptions options) {
    long timer = context.owner().setTimer(Math.max(1, connectTimeout.toMillis()),
        t -> release(client, key, host, opener, null, true));
    Future<HttpClientRequest> started = admitted(client, key, host, options);
    started.onComplete(ar -> {
      context.owner().cancelTimer(timer);
      release(client, key, host, opener, ar.failed() ? ar.cause() : null, false);
    });
    return started;
  }

  /**
   * Ends the wait for {@code opener}'s connect: on success the waiters the host's connections
   * (the new one among them) have room for go to the pool and the next one opens another
   * connection; on failure they fail with it; after the connect timeout they all go to the pool.
   */
  private void release(HttpClientAgent client, String key, HostState host, Object opener, Throwable failure,
      boolean timedOut) {
    List<Waiter> admitted;
    List<Waiter> failed = List.of();
    Waiter nextOpener = null;
    Object nextOpenerToken = null;
    synchronized (this) {
      if (host.opener != opener) {
        return; // already released (timed out, then completed)
      }
      host.opener = null;
      if (failure != null) {
        failed = new ArrayList<>(host.waiters);
        host.waiters.clear();
        admitted = List.of();
      } else {
        admitted = admitWaiters(host, timedOut ? Long.MAX_VALUE : host.capacity);
      }
      if (!host.waiters.isEmpty()) {
        nextOpener = host.waiters.poll();
        host.active++;
        nextOpenerToken = new Object();
        host.opener = nextOpenerToken;
      }
      forgetIfIdle(key, host);
    }
    for (Waiter w : failed) {
      w.context().runOnContext(v -> w.promise().fail(new SharedConnectFailure(failure)));
    }
    for (Waiter w : admitted) {
      // The request is made on the waiter's own event loop, which its stream belongs to.
      w.context().runOnContext(v -> admitted(client, key, host, w.options()).onComplete(w.promise()));
    }
    if (nextOpener != null) {
      Waiter w = nextOpener;
      Object token = nextOpenerToken;
      w.context().runOnContext(v -> open(client, key, host, token, w.context(), w.options()).onComplete(w.promise()));
    }
  }

  /** The streams a connection takes: the peer's SETTINGS_MAX_CONCURRENT_STREAMS, capped by ours. */
  private long concurrency(HttpConnection connection) {
    long peerLimit = connection.remoteSettings() instanceof Http2Settings peer
        ? peer.getMaxConcurrentStreams() : Long.MAX_VALUE;
    return Math.max(1, Math.min(peerLimit, maxStreamsPerConnection));
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
  static String key(SocketAddress address) {
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
