package dev.xdsdp.dataplane.filters;

import dev.xdsdp.api.accesslog.AccessLoggerFactory;
import dev.xdsdp.api.registry.ExtensionRegistry;
import dev.xdsdp.dataplane.filters.headermutation.HeaderMutationFilterFactory;
import dev.xdsdp.dataplane.filters.wasm.WasmAccessLoggerFactory;
import dev.xdsdp.dataplane.filters.wasm.WasmFilterFactory;
import dev.xdsdp.dataplane.filters.wasm.WasmNetworkFilterFactory;
import dev.xdsdp.dataplane.router.HeaderMutator;
import dev.xdsdp.dataplane.router.RouterFilterFactory;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import java.util.List;

/** The one list of built-in extensions (grpc-java's FilterRegistry idea). */
public final class BuiltinExtensions {

  private BuiltinExtensions() {}

  public static ExtensionRegistry create(
      ClusterManager clusters, HeaderMutator.ValueFormatter formatter, List<AccessLoggerFactory> accessLoggers) {
    ExtensionRegistry.Builder b = ExtensionRegistry.builder();
    b.register(new RouterFilterFactory(clusters, formatter));
    b.register(new HeaderMutationFilterFactory(formatter));
    // Bound to the server's WasmHost when the server starts (WasmHost.attach); until then it only validates.
    b.register(new WasmFilterFactory());
    b.register(new WasmNetworkFilterFactory());
    b.register(new WasmAccessLoggerFactory());
    for (AccessLoggerFactory f : accessLoggers) {
      b.register(f);
    }
    return b.build();
  }
}
