package dev.xdsdp.wasm.testing;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;

/** The node the shared test runtime reports as {@code xds.node}. */
public final class TestNodes {
  private TestNodes() {}

  public static final Node NODE =
      Node.newBuilder()
          .setId("sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local")
          .setCluster("test-cluster")
          .setLocality(Locality.newBuilder().setRegion("eu-west").setZone("eu-west-1a"))
          .setMetadata(
              Struct.newBuilder()
                  .putFields("ISTIO_VERSION", Value.newBuilder().setStringValue("1.24.0").build())
                  .putFields("MESH_ID", Value.newBuilder().setStringValue("mesh1").build()))
          .build();
}
