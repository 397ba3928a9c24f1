package dev.xdsdp.xds.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.http.wasm.v3.Wasm;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import org.junit.jupiter.api.Test;

/** TypedStruct unwrapping for protos that arrive in binary form (xDS, .pb bootstraps). */
class TypedStructsTest {

  private static Any typedStruct(String typeUrl, String valueJson) throws Exception {
    Struct.Builder s = Struct.newBuilder();
    JsonFormat.parser().merge(valueJson, s);
    return Any.pack(
        com.github.udpa.udpa.type.v1.TypedStruct.newBuilder().setTypeUrl(typeUrl).setValue(s).build());
  }

  @Test
  void unwrapConvertsAKnownType() throws Exception {
    Any ts =
        typedStruct(
            "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
            "{\"config\": {\"root_id\": \"r\", \"vm_config\": {\"runtime\": \"envoy.wasm.runtime.v8\","
                + " \"code\": {\"local\": {\"inline_string\": \"abc\"}}}}}");
    Any unwrapped = TypedStructs.unwrap(ts, "ecds resource wasm-1");
    assertEquals("type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm", unwrapped.getTypeUrl());
    Wasm wasm = unwrapped.unpack(Wasm.class);
    assertEquals("r", wasm.getConfig().getRootId());
    assertEquals("abc", wasm.getConfig().getVmConfig().getCode().getLocal().getInlineString());
  }

  @Test
  void unwrapLeavesOtherAnysAndUnknownTypesAlone() throws Exception {
    Any router = Any.pack(Router.getDefaultInstance());
    assertSame(router, TypedStructs.unwrap(router, "x"));
    Any unknown = typedStruct("type.googleapis.com/acme.Unknown", "{}");
    assertSame(unknown, TypedStructs.unwrap(unknown, "x"));
  }

  @Test
  void unwrapReportsContentThatDoesNotFit() throws Exception {
    Any ts = typedStruct("type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
        "{\"suppress_envoy_headers\": \"sometimes\"}");
    ConfigParseException e =
        assertThrows(ConfigParseException.class, () -> TypedStructs.unwrap(ts, "ecds resource r"));
    assertEquals(
        "ecds resource r: suppress_envoy_headers: expected a boolean (true or false), got \"sometimes\"",
        e.getMessage());
  }

  @Test
  void unwrapAllReachesIntoNestedAnys() throws Exception {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("p")
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("router")
                    .setTypedConfig(
                        typedStruct(
                            "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
                            "{\"suppress_envoy_headers\": true}")))
            .build();
    Listener listener =
        Listener.newBuilder()
            .setName("l")
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(Filter.newBuilder().setName("hcm").setTypedConfig(Any.pack(hcm))))
            .build();
    Listener out = TypedStructs.unwrapAll(listener, "lds");
    HttpConnectionManager outHcm =
        out.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    assertTrue(outHcm.getHttpFilters(0).getTypedConfig().unpack(Router.class).getSuppressEnvoyHeaders());
    assertEquals("p", outHcm.getStatPrefix());

    Listener plain = Listener.newBuilder().setName("plain").build();
    assertSame(plain, TypedStructs.unwrapAll(plain, "lds"));
  }

  @Test
  void unwrapAllHandlesMapsOfTypedConfigs() throws Exception {
    TypedExtensionConfig ecds =
        TypedExtensionConfig.newBuilder()
            .setName("e")
            .setTypedConfig(
                typedStruct("type.googleapis.com/google.protobuf.Struct", "{\"k\": \"v\"}"))
            .build();
    TypedExtensionConfig out = TypedStructs.unwrapAll(ecds, "ecds");
    assertEquals(
        Value.newBuilder().setStringValue("v").build(),
        out.getTypedConfig().unpack(Struct.class).getFieldsOrThrow("k"));
  }
}
