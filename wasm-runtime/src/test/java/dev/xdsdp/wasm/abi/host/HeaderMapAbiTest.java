package dev.xdsdp.wasm.abi.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestStreamHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The header-map hostcalls against a real stream's maps, with Envoy's results. */
class HeaderMapAbiTest {

  private static PluginHarness h;

  @BeforeAll
  static void start() {
    h = PluginHarness.create("abi_suite", b -> {});
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static Map<String, String> run(TestStreamHost host) {
    h.log.clear();
    PluginHarness.TestStream s = h.stream(host);
    assertEquals(FilterHeadersStatus.CONTINUE, s.requestHeaders(false));
    s.destroy();
    return h.log.reports();
  }

  @Test
  void getAddReplaceRemoveSizeAndPairs() {
    TestStreamHost host =
        TestStreamHost.request(
            "GET", "/p", "x-case", "headers", "x-in", "value-in", "x-replace", "old", "x-replace", "old2",
            "x-remove", "gone", "x-multi", "a");
    Map<String, String> r = run(host);
    assertEquals("0", r.get("get_status"));
    assertEquals("1", r.get("missing_status")); // NOT_FOUND in 0.2.x
    assertEquals("value-in", r.get("upper"));
    assertEquals("0", r.get("replace"));
    assertEquals("0", r.get("remove"));
    assertEquals("0", r.get("remove_absent"));
    assertEquals("0", r.get("add"));
    assertEquals("a", r.get("multi_first")); // only the first value, as Envoy
    HeaderMap m = host.requestHeaders;
    assertEquals(List.of("value-in"), m.getAll("x-r-get"));
    assertEquals(List.of("new"), m.getAll("x-replace"));
    assertEquals(List.of(), m.getAll("x-remove"));
    assertEquals(List.of("a", "b"), m.getAll("x-multi"));
    // Size is Envoy's byteSize() of the map as the module saw it at that point.
    assertEquals("0", r.get("size_status"));
    assertEquals(Long.toString(m.byteSize()), r.get("size"));
    assertEquals("0", r.get("pairs_status"));
    assertEquals(Integer.toString(m.size()), r.get("pairs_count"));
    assertEquals(
        Integer.toString(dev.xdsdp.wasm.abi.memory.PairsCodec.encode(m.entries()).length), r.get("pairs_len"));
  }

  @Test
  void setPairsReplacesEverythingIncludingPseudoHeaders() {
    TestStreamHost host = TestStreamHost.request("GET", "/orig", "x-case", "set_pairs", "x-keep", "no");
    assertEquals("0", run(host).get("set_pairs"));
    assertEquals(
        List.of(Map.entry(":method", "POST"), Map.entry(":path", "/replaced"), Map.entry("x-only", "1"),
            Map.entry("x-upper", "v")),
        host.requestHeaders.entries());
  }

  @Test
  void badArgumentsGetEnvoysStatuses() {
    TestStreamHost host = TestStreamHost.request("GET", "/p", "x-case", "bad_args");
    Map<String, String> r = run(host);
    assertEquals("2", r.get("bad_map"));
    assertEquals("6", r.get("bad_key_ptr"));
    assertEquals("6", r.get("bad_ret_ptr"));
    assertEquals("2", r.get("bad_pairs"));
    assertEquals("2", r.get("bad_buffer_type"));
    assertEquals("2", r.get("bad_log_level"));
    assertEquals("2", r.get("bad_effective"));
    assertEquals("2", r.get("bad_stream_type"));
    assertEquals("12", r.get("upstream_continue"));
    assertEquals("0", r.get("vm_config_in_stream"));
    assertEquals("1", r.get("plugin_config_in_stream"));
    assertEquals("1", r.get("call_body_outside"));
    assertEquals("2", r.get("call_headers_outside"));
    assertEquals("1", r.get("response_body_in_request"));
    assertEquals("2", r.get("bad_local_status"));
    assertEquals("2", r.get("write_call_headers"));
    assertEquals("1", r.get("unknown_queue"));
    assertEquals("1", r.get("resolve_missing"));
    // The bad set_pairs left the request as it was.
    assertEquals("/p", host.requestHeaders.path());
  }

  @Test
  void accessLogPhaseIsReadOnly() {
    TestStreamHost host = TestStreamHost.request("GET", "/logged");
    h.log.clear();
    PluginHarness.TestStream s = h.stream(host);
    s.requestHeaders(true);
    s.log();
    s.destroy();
    assertEquals("/logged", h.log.get("log_path"));
    assertEquals("2", h.log.get("log_add"));
    assertEquals("1", h.log.get("log_missing_map")); // absent map in the log phase: NOT_FOUND
    assertNull(host.requestHeaders.get("x-late"));
  }

  @Test
  void effectiveContextSwitchesWhichMapsAreVisible() {
    Map<String, String> r = run(TestStreamHost.request("GET", "/p", "x-case", "effective"));
    assertEquals("0", r.get("to_root"));
    assertEquals("2", r.get("root_headers")); // the root context has no request headers
    assertEquals("0", r.get("back"));
    assertEquals("0", r.get("stream_headers"));
  }
}
