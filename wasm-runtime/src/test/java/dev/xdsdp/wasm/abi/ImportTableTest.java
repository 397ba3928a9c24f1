package dev.xdsdp.wasm.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.xdsdp.wasm.abi.host.HostFunctions;
import dev.xdsdp.wasm.module.AbiVersion;
import dev.xdsdp.wasm.testing.PluginHarness;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ImportTableTest {

  @Test
  void everyFunctionOfTheTableHasAnImplementationButEnvoysDnsExtension() {
    try (PluginHarness h = PluginHarness.create("all_imports", b -> {})) {
      Set<String> implemented = HostFunctions.implementedNames(h.replica().instance());
      Set<String> missing = new TreeSet<>();
      for (ImportSpec s : ImportTable.allSpecs()) {
        if (!implemented.contains(s.qualifiedName())) {
          missing.add(s.qualifiedName());
        }
      }
      assertEquals(Set.of("env.envoy_resolve_dns"), missing);
    }
  }

  @Test
  void versionsGetTheirOwnFunctions() {
    ImportTable v010 = ImportTable.forVersion(AbiVersion.V0_1_0);
    ImportTable v021 = ImportTable.forVersion(AbiVersion.V0_2_1);
    assertNotNull(v010.find("env", "proxy_get_configuration"));
    assertNotNull(v010.find("env", "proxy_continue_request"));
    assertNull(v010.find("env", "proxy_continue_stream"));
    assertNull(v021.find("env", "proxy_get_configuration"));
    assertNotNull(v021.find("env", "proxy_close_stream"));
    assertEquals(v021.find("wasi_unstable", "fd_write").type(), v021.find("wasi_snapshot_preview1", "fd_write").type());
    assertEquals("(i32, i64, i32) -> i32", v021.find("wasi_snapshot_preview1", "clock_time_get").type().toString());
    assertEquals("(i32, i64) -> i32", v021.find("env", "proxy_increment_metric").type().toString());
  }

  @Test
  void theShortAssemblyScriptGrpcSignaturesAreAccepted() {
    ImportSpec call = ImportTable.forVersion(AbiVersion.V0_2_0).find("env", "proxy_grpc_call");
    assertEquals(true, call.accepts(dev.xdsdp.wasm.vm.FuncType.i32s(12)));
    assertEquals(true, call.accepts(dev.xdsdp.wasm.vm.FuncType.i32s(10)));
    assertEquals(false, call.accepts(dev.xdsdp.wasm.vm.FuncType.i32s(11)));
  }
}
