package dev.xdsdp.dataplane.upstream;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Envoy's HTTP/2 pool puts the streams that arrive while a connection to a host is being
 * established on that connection (a connecting HTTP/2 connection counts for its whole stream
 * capacity), so a burst of requests to a cold host opens one connection. Vert.x's pool opens one
 * connection per request that finds no connected capacity, up to the pool's maximum: a burst of
 * 160 streams opened 160 connections. This gate sits in front of the HTTP/2 pool: while a host
 * has no connection and one is being made, further requests to it wait for that connect, then go
 * to the pool together (which now has the connection's capacity for them); if the connect fails,
 * they fail with it, as Envoy's pending streams do.
 *
 * <p>Only the cold start is gated. A host whose connections are all busy still gets a new one per
 * request from Vert.x (Envoy opens one per connecting capacity); that needs more than the peer's
 * SETTINGS_MAX_CONCURRENT_STREAMS streams at once to a single host.
 */
final class Http2ConnectGate {

  private final Map<String, HostState> hosts = new HashMap<>();

  private static final class HostState {
    int connections;
    boolean connecting;
    final List<Waiter> waiters = new ArrayList<>();
  }

  private record Waiter(Context context, RequestOptions options, Promise<HttpClientRequest> promise) {}

  /** Starts a request through {@code client} once the gate lets it go. */
  Future<HttpClientRequest> request(HttpClientAgent client, RequestOptions options) {
    String key = options.getServer() instanceof SocketAddress server ? key(server) : null;
    if (key == null) {
      return client.request(options);
    }
    Context context = Vertx.currentContext();
    boolean opener;
    synchronized (this) {
      HostState host = hosts.computeIfAbsent(key, k -> new HostState());
      if (host.connections > 0) {
        opener = false;
      } else if (!host.connecting) {
        host.connecting = true;
        opener = true;
      } else if (context != null) {
        Promise<HttpClientRequest> promise = Promise.promise();
        host.waiters.add(new Waiter(context, options, promise));
        return promise.future();
      } else {
        opener = false;
      }
    }
    Future<HttpClientRequest> started = client.request(options);
    if (opener) {
      started.onComplete(ar -> release(client, key, ar.failed() ? ar.cause() : null));
    }
    return started;
  }

  /** Counts a new connection of the HTTP/2 pool; returns what to run when it closes. */
  Runnable onConnection(HttpConnection connection) {
    String key = key(connection.remoteAddress());
    if (key == null) {
      return () -> {};
    }
    synchronized (this) {
      hosts.computeIfAbsent(key, k -> new HostState()).connections++;
    }
    return () -> {
      synchronized (this) {
        HostState host = hosts.get(key);
        if (host != null) {
          host.connections--;
          if (host.connections <= 0 && !host.connecting && host.waiters.isEmpty()) {
            hosts.remove(key);
          }
        }
      }
    };
  }

  private void release(HttpClientAgent client, String key, Throwable failure) {
    List<Waiter> released;
    synchronized (this) {
      HostState host = hosts.get(key);
      if (host == null) {
        return;
      }
      host.connecting = false;
      released = new ArrayList<>(host.waiters);
      host.waiters.clear();
      if (host.connections <= 0) {
        hosts.remove(key); // a host that never connected (or no longer is) keeps no state
      }
    }
    for (Waiter w : released) {
      if (failure != null) {
        w.context().runOnContext(v -> w.promise().fail(new SharedConnectFailure(failure)));
      } else {
        // The request is made on the waiter's own event loop, which its stream belongs to.
        w.context().runOnContext(v -> client.request(w.options()).onComplete(w.promise()));
      }
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
    try {
      // One spelling per address: a request names "::1", the connection reports "0:0:0:0:0:0:0:1".
      ip = InetAddress.ofLiteral(ip).getHostAddress();
    } catch (IllegalArgumentException notALiteral) {
      // a host name (not used for cluster hosts, which are resolved): keep it as it is
    }
    return ip + ":" + address.port();
  }
}
