package dev.xdsdp.xds.transport.grpc;

import dev.xdsdp.xds.bootstrap.XdsBootstrapInfo;
import dev.xdsdp.xds.transport.StreamEventHandler;
import dev.xdsdp.xds.transport.XdsStream;
import dev.xdsdp.xds.transport.XdsTransport;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link XdsTransport} over grpc-java (Netty, shaded): plaintext HTTP/2 to a TCP address, a Unix
 * socket (Istio's {@code xds-grpc} cluster points at pilot-agent's socket) or a gRPC target URI.
 */
public final class GrpcXdsTransport implements XdsTransport {

  private static final System.Logger LOG = System.getLogger("xds");

  private final ManagedChannel channel;
  private final EventLoopGroup ownGroup;
  private final Metadata headers;
  private final String target;

  private GrpcXdsTransport(ManagedChannel channel, EventLoopGroup ownGroup, Metadata headers, String target) {
    this.channel = channel;
    this.ownGroup = ownGroup;
    this.headers = headers;
    this.target = target;
  }

  /** Opens a channel to the ADS server of {@code info}; nothing connects until a stream opens. */
  @SuppressWarnings("deprecation") // EpollEventLoopGroup: the shaded Netty 4.1 API grpc-java documents for UDS.
  public static GrpcXdsTransport create(XdsBootstrapInfo info) {
    XdsBootstrapInfo.ServerTarget t = info.server();
    NettyChannelBuilder builder;
    EventLoopGroup group = null;
    if (t.unixPath() != null) {
      if (!Epoll.isAvailable()) {
        throw new IllegalStateException("xDS server " + t + ": Unix sockets need Netty's epoll transport, which is "
            + "not available here: " + Epoll.unavailabilityCause());
      }
      group = new EpollEventLoopGroup(1);
      builder = NettyChannelBuilder.forAddress(new DomainSocketAddress(t.unixPath()))
          .eventLoopGroup(group)
          .channelType(EpollDomainSocketChannel.class);
    } else if (t.targetUri() != null) {
      builder = NettyChannelBuilder.forTarget(t.targetUri());
    } else {
      builder = NettyChannelBuilder.forAddress(t.host(), t.port());
      if (info.tcpKeepalive()) {
        builder.withOption(ChannelOption.SO_KEEPALIVE, true);
      }
    }
    builder.usePlaintext()
        // xDS responses (Istio's full LDS/CDS) easily exceed gRPC's 4 MiB default.
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .userAgent("xdsdp");
    if (info.keepalive() != null) {
      builder.keepAliveTime(info.keepalive().interval().toNanos(), TimeUnit.NANOSECONDS)
          .keepAliveTimeout(info.keepalive().timeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    Metadata headers = new Metadata();
    for (Map.Entry<String, String> e : info.initialMetadata().entrySet()) {
      headers.put(Metadata.Key.of(e.getKey(), Metadata.ASCII_STRING_MARSHALLER), e.getValue());
    }
    return new GrpcXdsTransport(builder.build(), group, headers, t.toString());
  }

  @Override
  public XdsStream<DiscoveryRequest> openSotw(StreamEventHandler<DiscoveryResponse> handler) {
    return open(AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(), handler);
  }

  @Override
  public XdsStream<DeltaDiscoveryRequest> openDelta(StreamEventHandler<DeltaDiscoveryResponse> handler) {
    return open(AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod(), handler);
  }

  private <Q, R> XdsStream<Q> open(MethodDescriptor<Q, R> method, StreamEventHandler<R> handler) {
    GrpcStream<Q, R> stream = new GrpcStream<>(channel.newCall(method, CallOptions.DEFAULT));
    stream.start(handler, headers);
    return stream;
  }

  @Override
  public void resetConnectBackoff() {
    channel.resetConnectBackoff();
  }

  @Override
  public String target() {
    return target;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "xDS channel to {0} did not terminate in 5 s", target);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (ownGroup != null) {
      ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /**
   * One bidi call. {@link ClientCall} is not thread-safe and both the owner (sends) and the
   * listener (flow control) touch it, so every use is under the call's lock.
   */
  private static final class GrpcStream<Q, R> implements XdsStream<Q> {
    private final ClientCall<Q, R> call;
    private volatile boolean closed;

    GrpcStream(ClientCall<Q, R> call) {
      this.call = call;
    }

    void start(StreamEventHandler<R> handler, Metadata headers) {
      Metadata h = new Metadata();
      h.merge(headers);
      synchronized (call) {
        call.start(new ClientCall.Listener<>() {
          @Override
          public void onMessage(R message) {
            if (!closed) {
              handler.onMessage(message);
            }
            synchronized (call) {
              call.request(1);
            }
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            if (!closed) {
              closed = true;
              handler.onClose(status.isOk() ? null : status.asException(trailers));
            }
          }
        }, h);
        call.request(1);
      }
    }

    @Override
    public void send(Q request) {
      if (closed) {
        return;
      }
      synchronized (call) {
        call.sendMessage(request);
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      synchronized (call) {
        call.cancel("closed by the xDS client", null);
      }
    }
  }
}
