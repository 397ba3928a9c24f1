package dev.xdsdp.xds.testing;

import static dev.xdsdp.xds.testing.XdsTestResources.addHeader;
import static dev.xdsdp.xds.testing.XdsTestResources.staticCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The test control plane's own ECDS handling, driven by a bare gRPC client. */
class EcdsAwareAdsServiceTest {

  static final String ECDS = EcdsAwareAdsService.ECDS_TYPE_URL;
  static final Node NODE = Node.newBuilder().setId("n").build();

  private TestControlPlane cp;
  private ManagedChannel channel;

  @BeforeEach
  void setUp() {
    cp = TestControlPlane.startTcp();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", cp.port()).usePlaintext().build();
  }

  @AfterEach
  void tearDown() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    cp.close();
  }

  private static <T> StreamObserver<T> into(BlockingQueue<T> q) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        q.add(value);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  private static TypedExtensionConfig unpack(com.google.protobuf.Any any) throws Exception {
    return any.unpack(TypedExtensionConfig.class);
  }

  @Test
  void sotwAnswersRequestedNamesHoldsNackedVersionsAndSharesTheStreamWithJavaControlPlane() throws Exception {
    cp.setExtensionConfigs("1", List.of(addHeader("a", "x", "1"), addHeader("b", "x", "1")));
    cp.setSnapshot("1", List.of(staticCluster("c", 1)), List.of(), List.of(), List.of());
    BlockingQueue<DiscoveryResponse> in = new LinkedBlockingQueue<>();
    StreamObserver<DiscoveryRequest> out = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(into(in));

    out.onNext(DiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(ECDS).addResourceNames("a").build());
    DiscoveryResponse r1 = in.poll(5, TimeUnit.SECONDS);
    assertNotNull(r1);
    assertEquals("1", r1.getVersionInfo());
    assertEquals(1, r1.getResourcesCount());
    assertEquals("a", unpack(r1.getResources(0)).getName());

    // The other types still go to java-control-plane on the same stream.
    out.onNext(DiscoveryRequest.newBuilder().setTypeUrl("type.googleapis.com/envoy.config.cluster.v3.Cluster").build());
    DiscoveryResponse cds = in.poll(5, TimeUnit.SECONDS);
    assertNotNull(cds);
    assertEquals("type.googleapis.com/envoy.config.cluster.v3.Cluster", cds.getTypeUrl());

    // ACK: nothing new to send.
    out.onNext(DiscoveryRequest.newBuilder().setTypeUrl(ECDS).addResourceNames("a").setVersionInfo("1")
        .setResponseNonce(r1.getNonce()).build());
    assertNull(in.poll(200, TimeUnit.MILLISECONDS));

    // A bad v2 is NACKed: held, not resent in a loop.
    cp.setExtensionConfigs("2", List.of(addHeader("a", "x", "2")));
    DiscoveryResponse r2 = in.poll(5, TimeUnit.SECONDS);
    assertEquals("2", r2.getVersionInfo());
    out.onNext(DiscoveryRequest.newBuilder().setTypeUrl(ECDS).addResourceNames("a").setVersionInfo("1")
        .setResponseNonce(r2.getNonce()).setErrorDetail(Status.newBuilder().setCode(13).setMessage("no")).build());
    assertNull(in.poll(300, TimeUnit.MILLISECONDS));

    // A request with a stale nonce is ignored; a new name is answered.
    out.onNext(DiscoveryRequest.newBuilder().setTypeUrl(ECDS).addResourceNames("a").addResourceNames("b")
        .setResponseNonce("stale").build());
    assertNull(in.poll(200, TimeUnit.MILLISECONDS));
    out.onNext(DiscoveryRequest.newBuilder().setTypeUrl(ECDS).addResourceNames("a").addResourceNames("b")
        .setVersionInfo("1").setResponseNonce(r2.getNonce()).build());
    DiscoveryResponse r3 = in.poll(5, TimeUnit.SECONDS);
    assertEquals(1, r3.getResourcesCount(), "b is gone in v2");
    out.onCompleted();
  }

  @Test
  void deltaSendsChangesAndDeletionsAndHonoursInitialResourceVersions() throws Exception {
    cp.setExtensionConfigs("1", List.of(addHeader("a", "x", "1"), addHeader("b", "x", "1")));
    BlockingQueue<DeltaDiscoveryResponse> in = new LinkedBlockingQueue<>();
    StreamObserver<DeltaDiscoveryRequest> out = AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(into(in));
    out.onNext(DeltaDiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(ECDS)
        .addResourceNamesSubscribe("a").addResourceNamesSubscribe("b").build());
    DeltaDiscoveryResponse r1 = in.poll(5, TimeUnit.SECONDS);
    assertEquals(2, r1.getResourcesCount());
    assertEquals("1", r1.getResources(0).getVersion());
    out.onNext(DeltaDiscoveryRequest.newBuilder().setTypeUrl(ECDS).setResponseNonce(r1.getNonce()).build());
    assertNull(in.poll(200, TimeUnit.MILLISECONDS));

    cp.setExtensionConfigs("2", List.of(addHeader("a", "x", "2")));
    DeltaDiscoveryResponse r2 = in.poll(5, TimeUnit.SECONDS);
    assertEquals(1, r2.getResourcesCount());
    assertEquals("a", r2.getResources(0).getName());
    assertEquals(List.of("b"), r2.getRemovedResourcesList());
    out.onCompleted();

    // A new stream that says it holds a@2 gets nothing until something changes.
    BlockingQueue<DeltaDiscoveryResponse> in2 = new LinkedBlockingQueue<>();
    StreamObserver<DeltaDiscoveryRequest> out2 = AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(into(in2));
    out2.onNext(DeltaDiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(ECDS).addResourceNamesSubscribe("a")
        .putInitialResourceVersions("a", "2").build());
    assertNull(in2.poll(300, TimeUnit.MILLISECONDS));
    cp.setExtensionConfigs("3", List.of(addHeader("a", "x", "3")));
    assertEquals("3", in2.poll(5, TimeUnit.SECONDS).getResources(0).getVersion());
    out2.onCompleted();
  }
}
