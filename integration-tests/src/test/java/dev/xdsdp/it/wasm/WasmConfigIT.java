package dev.xdsdp.it.wasm;

import static dev.xdsdp.it.support.Http.get;
import static dev.xdsdp.it.support.Http.upstreamHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.xdsdp.dataplane.server.ServerException;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wasm configs in a static bootstrap that cannot work stop the start with a clear error naming the
 * listener, the field and the reason; remote code is fetched with its retry policy.
 */
class WasmConfigIT {

  static EchoUpstream echo;
  static AuxServers aux;
  static Path dir;
  static Path module;

  @BeforeAll
  static void start() throws Exception {
    echo = EchoUpstream.start("echo");
    aux = new AuxServers();
    dir = Files.createTempDirectory("wasm-config-it");
    module = Modules.file(dir, Modules.HTTP_FILTER);
  }

  @AfterAll
  static void stop() {
    aux.close();
    echo.close();
  }

  /** A bootstrap with one listener whose only filter before the router is {@code pluginConfig}. */
  static String bootstrap(String pluginConfig) {
    return """
        static_resources:
          listeners:
          - name: wasm
            address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: wasm
                  route_config: { virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: / }, route: { cluster: echo } }] }] }
                  http_filters:
                  - name: envoy.filters.http.wasm
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
                      config:
        %s
                  - name: envoy.filters.http.router
                    typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
          clusters:
          - name: echo
            connect_timeout: 1s
            load_assignment:
              cluster_name: echo
              endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${ECHO} } } } }] }]
          - name: code
            connect_timeout: 1s
            load_assignment:
              cluster_name: code
              endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${CODE} } } } }] }]
        """.formatted(pluginConfig.indent(16).stripTrailing());
  }

  static String startError(String pluginConfig) {
    ServerException e = assertThrows(ServerException.class, () -> Dataplane.start(bootstrap(pluginConfig),
        Map.of("ECHO", echo.port(), "CODE", aux.codePort())).close());
    return e.getMessage();
  }

  static final String PREFIX = "listener wasm: filter_chains[0].filters[0].typed_config.http_filters[0].typed_config: ";

  @Test
  void missingFile() {
    assertEquals(PREFIX + "Unable to create Wasm plugin bad: config.vm_config.code.local.filename: cannot read "
            + "'/nonexistent/filter.wasm': no such file",
        startError("""
            name: bad
            vm_config: { code: { local: { filename: /nonexistent/filter.wasm } } }"""));
  }

  @Test
  void notAModule() {
    assertEquals(PREFIX + "Unable to create Wasm plugin bad: Wasm module is malformed: not a Wasm module: bad magic number",
        startError("""
            name: bad
            vm_config: { code: { local: { inline_string: "this is not wasm" } } }"""));
  }

  @Test
  void configureReturnsFalse() {
    assertEquals(PREFIX + "Unable to create Wasm plugin bad: proxy_on_configure returned false",
        startError("""
            name: bad
            vm_config: { code: { local: { filename: "%s" } } }
            configuration: { "@type": type.googleapis.com/google.protobuf.StringValue, value: "fail=configure" }"""
            .formatted(module)));
  }

  @Test
  void unknownRuntime() {
    assertEquals(PREFIX + "Unable to create Wasm plugin bad: config.vm_config.runtime: unknown Wasm runtime "
            + "'envoy.wasm.runtime.wavm' (one of envoy.wasm.runtime.v8, envoy.wasm.runtime.wasmtime, "
            + "envoy.wasm.runtime.wamr, envoy.wasm.runtime.null)",
        startError("""
            name: bad
            vm_config: { runtime: envoy.wasm.runtime.wavm, code: { local: { filename: "%s" } } }""".formatted(module)));
  }

  @Test
  void failOpenWithFailurePolicy() {
    assertEquals(PREFIX + "Unable to create Wasm plugin bad: only one of fail_open or failure_policy can be set",
        startError("""
            name: bad
            fail_open: true
            failure_policy: FAIL_RELOAD
            vm_config: { code: { local: { filename: "%s" } } }""".formatted(module)));
  }

  @Test
  void remoteCodeWithTheWrongSha256() {
    aux.serve(Modules.bytes(Modules.HTTP_FILTER));
    String wrong = "0".repeat(64);
    assertEquals(PREFIX + "Unable to create Wasm plugin bad: config.vm_config.code.remote: fetching "
            + "http://code/bad.wasm from cluster code failed after 1 attempt: sha256 mismatch: expected " + wrong
            + ", got " + Modules.sha256(Modules.HTTP_FILTER),
        startError("""
            name: bad
            vm_config:
              code:
                remote:
                  http_uri: { uri: "http://code/bad.wasm", cluster: code, timeout: 2s }
                  sha256: "%s"
                  retry_policy: { num_retries: 0 }""".formatted(wrong)));
  }

  @Test
  void remoteCodeIsRetriedUntilItArrives() throws Exception {
    aux.serve(Modules.bytes(Modules.HTTP_FILTER));
    int before = aux.codeRequests.get();
    aux.codeFailures.set(2);
    try (Dataplane dp = Dataplane.start(bootstrap("""
        name: fetched
        vm_config:
          code:
            remote:
              http_uri: { uri: "http://code/retry.wasm", cluster: code, timeout: 2s }
              sha256: "%s"
              retry_policy: { num_retries: 3, retry_back_off: { base_interval: 0.01s } }
        configuration: { "@type": type.googleapis.com/google.protobuf.StringValue, value: "version=fetched" }"""
        .formatted(Modules.sha256(Modules.HTTP_FILTER))), Map.of("ECHO", echo.port(), "CODE", aux.codePort()))) {
      assertEquals(before + 3, aux.codeRequests.get(), "two 503s, then the module");
      assertEquals("fetched", upstreamHeader(get(dp.uri("wasm", "/")), "x-wasm-version"));
      assertEquals(1, dp.stat("wasm.remote_load_fetch_successes"));
    }
  }
}
