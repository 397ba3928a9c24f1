package dev.xdsdp.dataplane.filters.wasm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.api.registry.ExtensionRegistry;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.filters.BuiltinExtensions;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.wasm.plugin.FailurePolicy;
import dev.xdsdp.wasm.plugin.PluginConfig;
import dev.xdsdp.wasm.testing.TestModules;
import dev.xdsdp.xds.bootstrap.EnvoyJson;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.filters.http.wasm.v3.Wasm;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code envoy.extensions.filters.http.wasm.v3.Wasm} YAML to the runtime's plugin config, and its errors. */
class WasmFilterConfigTest {

  static final String MODULE_B64 = Base64.getEncoder().encodeToString(TestModules.bytes("abi_suite"));

  static Wasm proto(String yaml) throws Exception {
    Wasm.Builder b = Wasm.newBuilder();
    EnvoyJson.parse(yaml, b, "wasm.yaml");
    return b.build();
  }

  static PluginConfig parse(String yaml) throws Exception {
    return parse(yaml, Map.of());
  }

  static PluginConfig parse(String yaml, Map<String, String> env) throws Exception {
    return WasmFilterConfig.parse(proto(yaml), WasmFilterConfig.NO_REMOTE, env::get).plugin();
  }

  static String error(String yaml) {
    return assertThrows(FilterConfigException.class, () -> parse(yaml)).getMessage();
  }

  /** A config with inline code and {@code extra} lines under {@code config:}. */
  static String withCode(String extra) {
    return """
        config:
          name: p
          vm_config: { vm_id: vm1, code: { local: { inline_bytes: "%s" } } }
        %s
        """.formatted(MODULE_B64, extra.indent(2));
  }

  @Test
  void namesIdsAndEnvoysDefaults() throws Exception {
    PluginConfig c = parse("""
        config:
          name: my_plugin
          root_id: my_root
          vm_config: { vm_id: my_vm, code: { local: { inline_bytes: "%s" } } }
        """.formatted(MODULE_B64));
    assertEquals("my_plugin", c.name());
    assertEquals("my_root", c.rootId());
    assertEquals("my_vm", c.vmId());
    assertEquals("envoy.wasm.runtime.v8", c.runtime(), "an empty runtime is Envoy's first built-in");
    assertArrayEquals(TestModules.bytes("abi_suite"), c.code());
    assertEquals(FailurePolicy.FAIL_CLOSED, c.failurePolicy());
    assertEquals(Duration.ofSeconds(1), c.reloadBackoff());
    assertFalse(c.allowOnHeadersStopIteration());
    assertEquals(Set.of(), c.allowedCapabilities());
    assertEquals(0, c.pluginConfiguration().length);
    assertEquals(0, c.vmConfiguration().length);
  }

  @Test
  void everyEnvoyRuntimeNameIsAccepted() throws Exception {
    for (String rt : List.of("v8", "wasmtime", "wamr", "null")) {
      PluginConfig c = parse("""
          config:
            vm_config: { runtime: envoy.wasm.runtime.%s, code: { local: { inline_bytes: "%s" } } }
          """.formatted(rt, MODULE_B64));
      assertEquals("envoy.wasm.runtime." + rt, c.runtime());
    }
    assertEquals("Unable to create Wasm plugin p: config.vm_config.runtime: unknown Wasm runtime "
            + "'envoy.wasm.runtime.wavm' (one of envoy.wasm.runtime.v8, envoy.wasm.runtime.wasmtime, "
            + "envoy.wasm.runtime.wamr, envoy.wasm.runtime.null)",
        error("""
            config:
              name: p
              vm_config: { runtime: envoy.wasm.runtime.wavm, code: { local: { inline_string: x } } }
            """));
  }

  @Test
  void configurationsAreStringBytesStructJsonOrSerialized() throws Exception {
    PluginConfig c = parse(withCode("""
        configuration: { "@type": type.googleapis.com/google.protobuf.StringValue, value: "plain text" }"""));
    assertEquals("plain text", new String(c.pluginConfiguration(), UTF_8));
    c = parse(withCode("""
        configuration: { "@type": type.googleapis.com/google.protobuf.BytesValue, value: "AAEC" }"""));
    assertArrayEquals(new byte[] {0, 1, 2}, c.pluginConfiguration());
    // Built in Java: the YAML loader turns non-integer numbers into strings (xds-client's concern).
    com.google.protobuf.Struct struct = com.google.protobuf.Struct.newBuilder()
        .putFields("z", com.google.protobuf.Value.newBuilder().setNumberValue(1).build())
        .putFields("a", com.google.protobuf.Value.newBuilder().setStringValue("x\"y").build())
        .putFields("n", com.google.protobuf.Value.newBuilder().setNumberValue(2.5).build())
        .putFields("big", com.google.protobuf.Value.newBuilder().setNumberValue(1e21).build())
        .putFields("list", com.google.protobuf.Value.newBuilder().setListValue(com.google.protobuf.ListValue.newBuilder()
            .addValues(com.google.protobuf.Value.newBuilder().setBoolValue(true))
            .addValues(com.google.protobuf.Value.newBuilder().setNullValueValue(0))
            .addValues(com.google.protobuf.Value.newBuilder().setNumberValue(3))).build())
        .putFields("obj", com.google.protobuf.Value.newBuilder().setStructValue(com.google.protobuf.Struct.newBuilder()
            .putFields("k", com.google.protobuf.Value.newBuilder().setStringValue("v").build())).build())
        .build();
    assertEquals("{\"a\":\"x\\\"y\",\"big\":1e+21,\"list\":[true,null,3],\"n\":2.5,\"obj\":{\"k\":\"v\"},\"z\":1}",
        new String(WasmFilterConfig.configurationBytes(Any.pack(struct), "configuration"), UTF_8),
        "compact, sorted, integers without a fraction");
    c = parse(withCode("""
        configuration: { "@type": type.googleapis.com/google.protobuf.UInt32Value, value: 150 }"""));
    assertArrayEquals(new byte[] {8, (byte) 0x96, 1}, c.pluginConfiguration(), "other types: their serialized bytes");
    // The VM configuration follows the same rules.
    Wasm w = proto("""
        config:
          vm_config:
            code: { local: { inline_bytes: "%s" } }
            configuration: { "@type": type.googleapis.com/google.protobuf.StringValue, value: "for the vm" }
        """.formatted(MODULE_B64));
    assertEquals("for the vm",
        new String(WasmFilterConfig.parse(w, WasmFilterConfig.NO_REMOTE, k -> null).plugin().vmConfiguration(), UTF_8));
  }

  @Test
  void structNumbersPrintAsEnvoyDoes() {
    assertEquals("1", StructJson.number(1.0));
    assertEquals("-3", StructJson.number(-3.0));
    assertEquals("0.1", StructJson.number(0.1));
    assertEquals("1e+21", StructJson.number(1e21));
    assertEquals("2.5e-07", StructJson.number(2.5e-7));
  }

  @Test
  void failurePolicies() throws Exception {
    assertEquals(FailurePolicy.FAIL_OPEN, parse(withCode("fail_open: true")).failurePolicy());
    assertEquals(FailurePolicy.FAIL_OPEN, parse(withCode("failure_policy: FAIL_OPEN")).failurePolicy());
    assertEquals(FailurePolicy.FAIL_CLOSED, parse(withCode("failure_policy: FAIL_CLOSED")).failurePolicy());
    PluginConfig reload = parse(withCode("""
        failure_policy: FAIL_RELOAD
        reload_config: { backoff: { base_interval: 0.25s } }"""));
    assertEquals(FailurePolicy.FAIL_RELOAD, reload.failurePolicy());
    assertEquals(Duration.ofMillis(250), reload.reloadBackoff());
    assertEquals("Unable to create Wasm plugin p: only one of fail_open or failure_policy can be set",
        error(withCode("fail_open: true\nfailure_policy: FAIL_CLOSED")));
  }

  @Test
  void environmentVariablesMergeKeyValuesAndHostKeys() throws Exception {
    PluginConfig c = parse("""
        config:
          name: p
          vm_config:
            code: { local: { inline_bytes: "%s" } }
            environment_variables: { key_values: { B: "2", A: "1" }, host_env_keys: [HOME_DIR, MISSING] }
        """.formatted(MODULE_B64), Map.of("HOME_DIR", "/home/x", "OTHER", "secret"));
    // Only the named host keys, never the rest of the process environment.
    assertEquals(Map.of("A", "1", "B", "2", "HOME_DIR", "/home/x"), c.environmentVariables());
    assertEquals("Unable to create Wasm plugin p: Key A is duplicated in "
            + "envoy.extensions.wasm.v3.VmConfig.environment_variables for p. All the keys must be unique.",
        error("""
            config:
              name: p
              vm_config:
                code: { local: { inline_string: x } }
                environment_variables: { key_values: { A: "1" }, host_env_keys: [A] }
            """));
    assertEquals("Unable to create Wasm plugin p: envoy.extensions.wasm.v3.VmConfig.EnvironmentVariables.key_values "
            + "must not be set for NullVm.",
        error("""
            config:
              name: p
              vm_config:
                runtime: envoy.wasm.runtime.null
                code: { local: { inline_string: x } }
                environment_variables: { key_values: { A: "1" } }
            """));
  }

  @Test
  void capabilitiesAndAllowOnHeadersStopIteration() throws Exception {
    PluginConfig c = parse(withCode("""
        capability_restriction_config: { allowed_capabilities: { proxy_log: {}, proxy_on_request_headers: {} } }"""));
    assertEquals(Set.of("proxy_log", "proxy_on_request_headers"), c.allowedCapabilities());
    // Field 9 is newer than the generated protos; xDS delivers it as an unknown field.
    Wasm w = proto(withCode(""));
    var pc = w.getConfig().toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
        .addField(WasmFilterConfig.ALLOW_ON_HEADERS_STOP_ITERATION, UnknownFieldSet.Field.newBuilder()
            .addLengthDelimited(BoolValue.of(true).toByteString()).build())
        .build()).build();
    Wasm reparsed = Wasm.parseFrom(w.toBuilder().setConfig(pc).build().toByteArray());
    assertTrue(WasmFilterConfig.parse(reparsed, WasmFilterConfig.NO_REMOTE, k -> null).plugin().allowOnHeadersStopIteration());
  }

  @Test
  void codeSources(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.wasm");
    Files.write(file, TestModules.bytes("abi_suite"));
    Wasm w = proto("config: { name: p, vm_config: { code: { local: { filename: \"" + file + "\" } } } }");
    WasmFilterConfig c = WasmFilterConfig.parse(w, WasmFilterConfig.NO_REMOTE, k -> null);
    assertArrayEquals(TestModules.bytes("abi_suite"), c.plugin().code());
    assertEquals(file.toString(), c.codeSource());
    assertEquals("abc", new String(parse("config: { vm_config: { code: { local: { inline_string: abc } } } }").code(), UTF_8));
    assertEquals("Unable to create Wasm plugin p: config.vm_config.code.local.filename: cannot read '"
        + dir.resolve("missing.wasm") + "': no such file",
        error("config: { name: p, vm_config: { code: { local: { filename: \"" + dir.resolve("missing.wasm") + "\" } } } }"));
    assertEquals("Unable to create Wasm plugin p: config.vm_config: required", error("config: { name: p }"));
    assertEquals("Unable to create Wasm plugin: config.vm_config.code: one of local or remote is required",
        error("config: { vm_config: { vm_id: x } }"));
    assertEquals("Unable to create Wasm plugin p: config.vm_config.code: the Wasm code is empty",
        error("config: { name: p, vm_config: { code: { local: { inline_string: \"\" } } } }"));
  }

  @Test
  void remoteCodeIsFetchedThroughTheGivenFetcher() throws Exception {
    String yaml = """
        config:
          name: r
          vm_config:
            code:
              remote:
                http_uri: { uri: "http://code/m.wasm", cluster: code, timeout: 1s }
                sha256: "abc"
        """;
    List<String> fetched = new java.util.ArrayList<>();
    WasmFilterConfig c = WasmFilterConfig.parse(proto(yaml), remote -> {
      fetched.add(remote.getHttpUri().getUri() + "@" + remote.getSha256());
      return new byte[] {1, 2, 3};
    }, k -> null);
    assertEquals(List.of("http://code/m.wasm@abc"), fetched);
    assertArrayEquals(new byte[] {1, 2, 3}, c.plugin().code());
    assertEquals("http://code/m.wasm", c.codeSource());
    assertEquals("Unable to create Wasm plugin r: config.vm_config.code.remote.sha256: required",
        error(yaml.replace("sha256: \"abc\"", "")));
    assertEquals("Unable to create Wasm plugin r: config.vm_config.code.remote: remote code cannot be fetched here",
        error(yaml));
  }

  @Test
  void registryHasTheFilterAndAnUnboundFactoryValidatesModules() throws Exception {
    ExtensionRegistry registry = BuiltinExtensions.create(null, (v, rq, rs, i) -> v, List.of());
    var factory = registry.httpFilterByTypeUrl("type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm")
        .orElseThrow();
    assertEquals("envoy.filters.http.wasm", factory.name());
    assertTrue(registry.httpFilterByName("envoy.filters.http.wasm").isPresent());
    StatsScope stats = StatsStore.create(StatsConfig.getDefaultInstance());
    FactoryContext ctx = new FactoryContext() {
      @Override
      public StatsScope scope() {
        return stats;
      }

      @Override
      public Node localNode() {
        return Node.getDefaultInstance();
      }

      @Override
      public String listenerName() {
        return "l";
      }

      @Override
      public boolean isStatic() {
        return true;
      }
    };
    FilterFactory ok = factory.createFilterFactory(Any.pack(proto(withCode(""))), ctx);
    assertTrue(ok.create() instanceof WasmFilterFactory.Unavailable, "validation only: no VMs without a WasmHost");
    Wasm bad = proto("config: { name: p, vm_config: { code: { local: { inline_bytes: \""
        + Base64.getEncoder().encodeToString(ByteString.copyFromUtf8("\0asm junk").toByteArray()) + "\" } } } }");
    FilterConfigException e = assertThrows(FilterConfigException.class, () -> factory.createFilterFactory(Any.pack(bad), ctx));
    assertTrue(e.getMessage().startsWith("Unable to create Wasm plugin p: Wasm module is malformed: "), e.getMessage());
  }
}
