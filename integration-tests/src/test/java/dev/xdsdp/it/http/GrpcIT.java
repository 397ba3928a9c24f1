package dev.xdsdp.it.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.xdsdp.it.support.Dataplane;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** gRPC unary and server streaming through the proxy, with status and trailers intact. */
class GrpcIT {

  static Server grpc;
  static Dataplane dp;
  static ManagedChannel channel;

  /** A real gRPC service: grpc-java's health protocol, answering from the service name. */
  static final class Health extends HealthGrpc.HealthImplBase {
    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
      switch (request.getService()) {
        case "missing" -> out.onError(Status.NOT_FOUND.withDescription("no such service: missing").asRuntimeException());
        case "slow" -> {
          try {
            Thread.sleep(3000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          out.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
          out.onCompleted();
        }
        default -> {
          out.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
          out.onCompleted();
        }
      }
    }

    @Override
    public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
      for (int i = 0; i < 3; i++) {
        out.onNext(HealthCheckResponse.newBuilder()
            .setStatus(i % 2 == 0 ? HealthCheckResponse.ServingStatus.SERVING : HealthCheckResponse.ServingStatus.NOT_SERVING)
            .build());
      }
      out.onCompleted();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    grpc = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(new Health()).build().start();
    dp = Dataplane.startBootstrap("http2.yaml", Map.of("ECHO", 1, "GRPC", grpc.getPort(), "LIMITED", 1));
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", dp.port("main"), InsecureChannelCredentials.create()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    dp.close();
    grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void unaryCallSucceeds() {
    HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("ok").build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void errorStatusAndMessageComeThroughTheTrailers() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService("missing").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertEquals("no such service: missing", e.getStatus().getDescription());
  }

  @Test
  void serverStreamingDeliversEveryMessage() {
    Iterator<HealthCheckResponse> it = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .watch(HealthCheckRequest.getDefaultInstance());
    List<HealthCheckResponse.ServingStatus> seen = new ArrayList<>();
    it.forEachRemaining(r -> seen.add(r.getStatus()));
    assertEquals(List.of(HealthCheckResponse.ServingStatus.SERVING, HealthCheckResponse.ServingStatus.NOT_SERVING,
        HealthCheckResponse.ServingStatus.SERVING), seen);
  }

  @Test
  void grpcTimeoutHeaderBoundsTheUpstreamTimeout() {
    long start = System.nanoTime();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(500, TimeUnit.MILLISECONDS)
            .check(HealthCheckRequest.newBuilder().setService("slow").build()));
    long ms = (System.nanoTime() - start) / 1_000_000;
    // Either the client's deadline or the proxy's 504 (mapped to UNAVAILABLE) ends the call well before 3 s.
    assertEquals(true, e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED
        || e.getStatus().getCode() == Status.Code.UNAVAILABLE, e.getStatus().toString());
    assertEquals(true, ms < 2500, "took " + ms + " ms");
  }

  @Test
  void noRouteForAGrpcRequestIsATrailersOnlyUnimplemented() {
    ManagedChannel direct = channel;
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        io.grpc.stub.ClientCalls.blockingUnaryCall(direct,
            HealthGrpc.getCheckMethod().toBuilder().setFullMethodName("nogrpc/Check").build(),
            io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
            HealthCheckRequest.getDefaultInstance()));
    // direct_response 404 with no body on a gRPC request: Envoy maps 404 to UNIMPLEMENTED (12).
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), e.getStatus().toString());
  }
}
