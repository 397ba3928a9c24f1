package dev.xdsdp.bench.upstream;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC upstream of figure 2 (benchmarks/02-h2c-grpc.sh): a grpc-java server on 127.0.0.1 that
 * answers {@code grpc.health.v1.Health/Check} with SERVING, so a load generator needs no generated
 * stubs (an empty request is a 5-byte gRPC frame).
 *
 * <pre>
 *   GrpcUpstream PORT            serve until killed
 *   GrpcUpstream --check PORT    one real gRPC call to 127.0.0.1:PORT (e.g. through a proxy);
 *                                prints the status and exits 0 only when it is SERVING
 * </pre>
 */
public final class GrpcUpstream {

  private GrpcUpstream() {}

  /** Always SERVING; the answer is built once. */
  static final class AlwaysServing extends HealthGrpc.HealthImplBase {
    private static final HealthCheckResponse SERVING =
        HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).build();

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
      out.onNext(SERVING);
      out.onCompleted();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--check")) {
      System.exit(check(Integer.parseInt(args[1])));
    }
    if (args.length != 1) {
      System.err.println("usage: GrpcUpstream PORT | GrpcUpstream --check PORT");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    // The handler does no blocking work: run it on the Netty event loop, no executor hop.
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .directExecutor()
        .addService(new AlwaysServing())
        .build()
        .start();
    System.out.println("grpc upstream listening on 127.0.0.1:" + server.getPort());
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    server.awaitTermination();
  }

  private static int check(int port) throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      HealthCheckResponse response = HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance());
      System.out.println("grpc check 127.0.0.1:" + port + ": " + response.getStatus());
      return response.getStatus() == ServingStatus.SERVING ? 0 : 1;
    } catch (RuntimeException e) {
      System.out.println("grpc check 127.0.0.1:" + port + " failed: " + e);
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
