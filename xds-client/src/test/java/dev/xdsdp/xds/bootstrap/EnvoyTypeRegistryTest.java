package dev.xdsdp.xds.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.extensions.filters.http.wasm.v3.Wasm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class EnvoyTypeRegistryTest {

  @Test
  void knowsTypesFromEveryFamilyInTheApiJar() {
    EnvoyTypeRegistry r = EnvoyTypeRegistry.get();
    for (String name :
        List.of(
            "envoy.extensions.filters.http.wasm.v3.Wasm",
            "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            "envoy.extensions.filters.http.rbac.v3.RBAC",
            "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            "envoy.config.cluster.v3.Cluster.LbSubsetConfig", // nested
            "envoy.service.discovery.v3.DiscoveryResponse",
            "udpa.type.v1.TypedStruct",
            "xds.type.v3.TypedStruct",
            "xds.type.matcher.v3.Matcher",
            "validate.FieldRules",
            "google.protobuf.Duration",
            "google.protobuf.StringValue",
            "google.rpc.Status")) {
      assertTrue(r.find(name).isPresent(), name);
    }
    assertSame(Wasm.getDescriptor(),
        r.find("type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm").orElseThrow());
    assertTrue(r.find("acme.Nothing").isEmpty());
    assertTrue(r.jsonRegistry().find("envoy.extensions.filters.http.wasm.v3.Wasm") != null);
    assertTrue(r.typeRegistry().find("envoy.extensions.filters.http.wasm.v3.Wasm") != null);
    assertTrue(r.typeNames().size() > 2000 && r.fileCount() > 600, "types: " + r.typeNames().size());
    // Measured, not asserted tightly: about a second of CPU on the reference machine.
    System.out.printf(
        "EnvoyTypeRegistry: %d message types from %d files in %d ms%n",
        r.typeNames().size(), r.fileCount(), r.buildTime().toMillis());
    assertTrue(r.buildTime().toSeconds() < 20, "build took " + r.buildTime());
  }

  @Test
  void guessedClassesAndTheFullIndexAgree() {
    EnvoyTypeRegistry r = EnvoyTypeRegistry.get();
    // Found by guessing the class (nested types included), then cached.
    assertSame(
        io.envoyproxy.envoy.config.cluster.v3.Cluster.LbSubsetConfig.LbSubsetSelector.getDescriptor(),
        r.find("envoy.config.cluster.v3.Cluster.LbSubsetConfig.LbSubsetSelector").orElseThrow());
    assertSame(com.github.xds.type.v3.TypedStruct.getDescriptor(),
        r.find("xds.type.v3.TypedStruct").orElseThrow());
    // validate.* lives in an outer class whose name no guess reaches: the full index finds it.
    assertSame(io.envoyproxy.pgv.validate.Validate.FieldRules.getDescriptor(),
        r.find("type.googleapis.com/validate.FieldRules").orElseThrow());
    // A guess never returns a class that is not the named message.
    assertTrue(r.find("java.lang.String").isEmpty());
    assertTrue(r.find("envoy.config.cluster.v3").isEmpty());
    assertTrue(r.find("").isEmpty());
  }

  @Test
  void concurrentFirstUseSeesOneInstance() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<EnvoyTypeRegistry>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        tasks.add(EnvoyTypeRegistry::get);
      }
      EnvoyTypeRegistry first = null;
      for (Future<EnvoyTypeRegistry> f : pool.invokeAll(tasks)) {
        if (first == null) {
          first = f.get();
        }
        assertSame(first, f.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void typeNameAndUrl() {
    assertEquals("a.B", EnvoyTypeRegistry.typeName("type.googleapis.com/a.B"));
    assertEquals("a.B", EnvoyTypeRegistry.typeName("example.com/x/a.B"));
    assertEquals("a.B", EnvoyTypeRegistry.typeName("a.B"));
    assertEquals(
        "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
        EnvoyTypeRegistry.typeUrl(Wasm.getDescriptor()));
  }
}
