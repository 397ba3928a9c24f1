package dev.xdsdp.xds.testing;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An in-process ADS control plane for tests: java-control-plane's {@link V3DiscoveryServer} over a
 * {@link SimpleCache} for listeners, routes, clusters and endpoints, plus ECDS through
 * {@link EcdsAwareAdsService}, on a real TCP port (127.0.0.1, port 0) or a Unix socket, SotW and
 * delta alike. Every request and response is recorded in {@link #callbacks()}.
 *
 * <p>{@link #stop()} and {@link #start()} keep the port (or socket path) and the cache, so a
 * client can reconnect to the same address and be re-synced.
 */
public final class TestControlPlane implements AutoCloseable {

  /** The snapshot group every node maps to. */
  public static final String GROUP = "xdsdp-test";

  private final SimpleCache<String> cache = new SimpleCache<>(node -> GROUP);
  private final RecordingCallbacks callbacks = new RecordingCallbacks();
  private final EcdsAwareAdsService ads;
  private final Path unixPath;
  private int port;
  private Server server;
  private EventLoopGroup unixGroup;

  private TestControlPlane(Path unixPath) {
    List<DiscoveryServerCallbacks> cbs = List.of(callbacks);
    V3DiscoveryServer discovery = new V3DiscoveryServer(cbs, cache);
    this.ads = new EcdsAwareAdsService(discovery.getAggregatedDiscoveryServiceImpl(), cbs);
    this.unixPath = unixPath;
  }

  /** Starts on a free TCP port of 127.0.0.1. */
  public static TestControlPlane startTcp() {
    TestControlPlane cp = new TestControlPlane(null);
    cp.start();
    return cp;
  }

  /** Starts on a Unix socket at {@code path} (the file must not exist). */
  public static TestControlPlane startUnix(Path path) {
    TestControlPlane cp = new TestControlPlane(path);
    cp.start();
    return cp;
  }

  /** (Re)starts the server on the same address. */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    NettyServerBuilder b;
    if (unixPath != null) {
      try {
        Files.deleteIfExists(unixPath);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      unixGroup = new EpollEventLoopGroup(1);
      b = NettyServerBuilder.forAddress(new DomainSocketAddress(unixPath.toString()))
          .channelType(EpollServerDomainSocketChannel.class)
          .bossEventLoopGroup(unixGroup)
          .workerEventLoopGroup(unixGroup);
    } else {
      b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
          .withOption(ChannelOption.SO_REUSEADDR, true);
    }
    try {
      server = b.addService(ads).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (unixPath == null) {
      port = ((InetSocketAddress) server.getListenSockets().getFirst()).getPort();
    }
  }

  /** Stops the server, closing every stream; the cache stays. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server = null;
    if (unixGroup != null) {
      unixGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      unixGroup = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** The TCP port (0 for a Unix socket). */
  public int port() {
    return port;
  }

  public Path unixPath() {
    return unixPath;
  }

  public RecordingCallbacks callbacks() {
    return callbacks;
  }

  public SimpleCache<String> cache() {
    return cache;
  }

  /** Serves a snapshot for LDS/RDS/CDS/EDS; one version for all four types. */
  public void setSnapshot(String version, List<Cluster> clusters, List<ClusterLoadAssignment> endpoints,
      List<Listener> listeners, List<RouteConfiguration> routes) {
    cache.setSnapshot(GROUP, Snapshot.create(clusters, endpoints, listeners, routes, List.of(), version));
  }

  /** Serves a snapshot for LDS/RDS/CDS/EDS. */
  public void setSnapshot(Snapshot snapshot) {
    cache.setSnapshot(GROUP, snapshot);
  }

  /** Serves ECDS resources ({@code TypedExtensionConfig}) at {@code version}. */
  public void setExtensionConfigs(String version, List<TypedExtensionConfig> configs) {
    ads.setExtensionConfigs(version, configs);
  }
}
