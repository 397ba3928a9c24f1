package dev.xdsdp.dataplane.filters.wasm;

import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.upstream.Cluster;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.wasm.module.WasmModule;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.RemoteDataSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Fetches {@code vm_config.code.remote} through its cluster, off the event loops, at config time:
 * GET {@code http_uri.uri} on a host of {@code http_uri.cluster}, 200 only, the body's sha256 must
 * match, retried per {@code retry_policy} (Envoy's defaults: one retry, 1 s jittered backoff up to
 * 10 s). Code is cached by sha256 (24 h after its last use, failures for 10 s), with Envoy's
 * {@code wasm.remote_load_*} stats.
 *
 * <p>Where Envoy would keep the listener warming and then run the plugin without a VM (failing its
 * streams), a fetch that fails here rejects the config, so xDS keeps the last good one.
 */
final class RemoteCodeFetcher {

  private static final System.Logger LOG = System.getLogger("wasm");
  static final Duration NEGATIVE_CACHE = Duration.ofSeconds(10);
  static final Duration CACHE_TTL = Duration.ofHours(24);

  private final ClusterManager clusters;
  private final Vertx vertx;
  private final Function<String, io.envoyproxy.envoy.config.cluster.v3.Cluster> bootstrapClusters;
  private final Map<String, Entry> cache = new HashMap<>();
  private final Counter hits;
  private final Counter negativeHits;
  private final Counter misses;
  private final Counter fetchSuccesses;
  private final Counter fetchFailures;
  private final Gauge entries;

  private static final class Entry {
    byte[] code;
    long fetchedNanos;
    long usedNanos;
  }

  /**
   * @param bootstrapClusters the bootstrap's static clusters by name: a static listener's filter is
   *     parsed before the cluster manager has them
   */
  RemoteCodeFetcher(ClusterManager clusters, Vertx vertx, StatsScope stats,
      Function<String, io.envoyproxy.envoy.config.cluster.v3.Cluster> bootstrapClusters) {
    this.clusters = clusters;
    this.vertx = vertx;
    this.bootstrapClusters = bootstrapClusters;
    StatsScope s = stats.scope("wasm");
    hits = s.counter("remote_load_cache_hits");
    negativeHits = s.counter("remote_load_cache_negative_hits");
    misses = s.counter("remote_load_cache_misses");
    fetchSuccesses = s.counter("remote_load_fetch_successes");
    fetchFailures = s.counter("remote_load_fetch_failures");
    entries = s.gauge("remote_load_cache_entries");
  }

  /** The bootstrap's static cluster named {@code name}, for {@code bootstrapClusters}. */
  static Function<String, io.envoyproxy.envoy.config.cluster.v3.Cluster> staticClusters(Bootstrap bootstrap) {
    return name -> {
      if (bootstrap == null) {
        return null;
      }
      for (var c : bootstrap.getStaticResources().getClustersList()) {
        if (c.getName().equals(name)) {
          return c;
        }
      }
      return null;
    };
  }

  /** The code of {@code remote}, from the cache or fetched now. Blocks: never call on an event loop. */
  synchronized byte[] fetch(RemoteDataSource remote) throws FilterConfigException {
    String sha = remote.getSha256().toLowerCase(java.util.Locale.ROOT);
    String uri = remote.getHttpUri().getUri();
    long now = System.nanoTime();
    cache.values().removeIf(e -> now - e.usedNanos > CACHE_TTL.toNanos());
    Entry e = cache.get(sha);
    if (e != null) {
      e.usedNanos = now;
      if (e.code != null) {
        hits.inc();
        return e.code;
      }
      if (now - e.fetchedNanos < NEGATIVE_CACHE.toNanos()) {
        negativeHits.inc();
        throw new FilterConfigException("config.vm_config.code.remote: fetching " + uri
            + " failed recently (cached for " + NEGATIVE_CACHE.toSeconds() + " s)");
      }
    } else {
      misses.inc();
    }
    LOG.log(System.Logger.Level.WARNING, "Wasm remote code fetch is unstable and may cause a crash");
    Entry fresh = new Entry();
    fresh.fetchedNanos = now;
    fresh.usedNanos = now;
    try {
      fresh.code = fetchWithRetries(remote, sha);
      fetchSuccesses.inc();
      return fresh.code;
    } catch (FilterConfigException ex) {
      fetchFailures.inc();
      throw ex;
    } finally {
      cache.put(sha, fresh);
      entries.set(cache.size());
    }
  }

  private byte[] fetchWithRetries(RemoteDataSource remote, String sha) throws FilterConfigException {
    var policy = remote.getRetryPolicy();
    int retries = policy.hasNumRetries() ? policy.getNumRetries().getValue() : 1;
    long base = policy.getRetryBackOff().hasBaseInterval() ? millis(policy.getRetryBackOff().getBaseInterval()) : 1000;
    long max = policy.getRetryBackOff().hasMaxInterval() ? millis(policy.getRetryBackOff().getMaxInterval()) : 10 * base;
    String last = "";
    for (int attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        // Envoy's jittered exponential backoff: a random wait below min(base * 2^n, max).
        long ceiling = Math.min(max, base << Math.min(attempt - 1, 20));
        sleep(ThreadLocalRandom.current().nextLong(Math.max(1, ceiling)) + 1);
      }
      try {
        byte[] code = fetchOnce(remote);
        String got = WasmModule.sha256(code);
        if (!got.equals(sha)) {
          last = "sha256 mismatch: expected " + sha + ", got " + got;
          continue;
        }
        return code;
      } catch (FetchException ex) {
        last = ex.getMessage();
      }
      LOG.log(System.Logger.Level.DEBUG, "fetching {0} failed: {1}", remote.getHttpUri().getUri(), last);
    }
    throw new FilterConfigException("config.vm_config.code.remote: fetching " + remote.getHttpUri().getUri()
        + " from cluster " + remote.getHttpUri().getCluster() + " failed after " + (retries + 1) + " attempt"
        + (retries == 0 ? "" : "s") + ": " + last);
  }

  private static final class FetchException extends Exception {
    FetchException(String message) {
      super(message);
    }
  }

  private byte[] fetchOnce(RemoteDataSource remote) throws FetchException {
    var httpUri = remote.getHttpUri();
    URI uri;
    try {
      uri = URI.create(httpUri.getUri());
    } catch (IllegalArgumentException e) {
      throw new FetchException("bad uri: " + e.getMessage());
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    long timeout = Math.max(1, millis(httpUri.getTimeout()));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(path);
    if (uri.getHost() != null) {
      options.setHost(uri.getHost());
      options.setPort(uri.getPort() > 0 ? uri.getPort() : 80);
    }
    Cluster cluster = clusters == null ? null : clusters.get(httpUri.getCluster());
    HttpClient client;
    Host host = null;
    boolean temporary = false;
    if (cluster != null) {
      host = cluster.chooseHost();
      if (host == null) {
        throw new FetchException("no healthy upstream in cluster " + httpUri.getCluster());
      }
      var a = host.address();
      options.setServer(a.isPipe()
          ? io.vertx.core.net.SocketAddress.domainSocketAddress(a.pipePath())
          : io.vertx.core.net.SocketAddress.inetSocketAddress(a.port(), a.ip()));
      client = cluster.client(false);
    } else {
      SocketAddress sa = firstEndpoint(bootstrapClusters.apply(httpUri.getCluster()));
      if (sa == null) {
        throw new FetchException("unknown cluster " + httpUri.getCluster());
      }
      options.setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(sa.getPortValue(), sa.getAddress()));
      client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout)));
      temporary = true;
    }
    // The chain is built on an event loop: built from this (blocking) thread, the response's
    // body handler could be attached after Vert.x had delivered the body, which then read as
    // empty (a module with the sha256 of nothing).
    io.vertx.core.Promise<Buffer> promise = io.vertx.core.Promise.promise();
    HttpClient c = client;
    vertx.getOrCreateContext().runOnContext(v -> c.request(options)
        .compose(r -> r.send())
        .compose((HttpClientResponse resp) -> {
          if (resp.statusCode() != 200) {
            return resp.body().compose(b -> Future.failedFuture("HTTP status " + resp.statusCode()));
          }
          return resp.body();
        })
        .onComplete(promise));
    Future<Buffer> body = promise.future();
    try {
      return body.toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.MILLISECONDS).getBytes();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new FetchException("timeout after " + timeout + " ms");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new FetchException(String.valueOf(e.getCause().getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FetchException("interrupted");
    } finally {
      if (temporary) {
        client.close();
      }
    }
  }

  private static SocketAddress firstEndpoint(io.envoyproxy.envoy.config.cluster.v3.Cluster c) {
    if (c == null) {
      return null;
    }
    for (LocalityLbEndpoints l : c.getLoadAssignment().getEndpointsList()) {
      for (LbEndpoint e : l.getLbEndpointsList()) {
        if (e.getEndpoint().getAddress().hasSocketAddress()) {
          return e.getEndpoint().getAddress().getSocketAddress();
        }
      }
    }
    return null;
  }

  private static long millis(com.google.protobuf.Duration d) {
    return d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
  }

  private static void sleep(long ms) throws FilterConfigException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FilterConfigException("config.vm_config.code.remote: interrupted while fetching");
    }
  }
}
