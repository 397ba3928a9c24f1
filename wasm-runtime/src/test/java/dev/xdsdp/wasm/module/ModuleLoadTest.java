package dev.xdsdp.wasm.module;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.wasm.WasmException;
import dev.xdsdp.wasm.testing.TestModules;
import dev.xdsdp.wasm.vm.FuncType;
import dev.xdsdp.wasm.vm.ValType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loading: parsing, ABI detection and validation, with the exact error messages. */
class ModuleLoadTest {

  private static WasmModule load(String name) {
    return WasmModule.load(TestModules.bytes(name), 16384);
  }

  private static String error(String name) {
    return assertThrows(WasmException.class, () -> load(name)).getMessage();
  }

  @Test
  void detectsEveryAbiVersionOfTheTestModules() {
    assertEquals(AbiVersion.V0_1_0, load("abi_010").version());
    assertEquals(AbiVersion.V0_2_0, load("abi_suite_020").version());
    assertEquals(AbiVersion.V0_2_1, load("abi_suite").version());
    assertEquals(AbiVersion.V0_2_0, load("as_solo").version());
    assertEquals(AbiVersion.V0_2_1, load("as_gcore").version());
    assertEquals(AbiVersion.V0_2_0, load("wasi_probe").version());
  }

  @Test
  void missingMarkerNamesTheExpectedExports() {
    assertEquals(
        "Missing Proxy-Wasm ABI version: the module exports no proxy_abi_version_* function () -> (); this host"
            + " supports proxy_abi_version_0_1_0, proxy_abi_version_0_2_0, proxy_abi_version_0_2_1",
        error("no_marker"));
  }

  @Test
  void unknownMarkerIsNamed() {
    assertEquals(
        "Unknown Proxy-Wasm ABI version: the module exports proxy_abi_version_0_3_0; this host supports"
            + " proxy_abi_version_0_1_0, proxy_abi_version_0_2_0, proxy_abi_version_0_2_1",
        error("unknown_marker"));
  }

  @Test
  void wrongImportSignatureAndUnknownImportAreBothReported() {
    String m = error("bad_import");
    assertTrue(
        m.contains("import env.proxy_log is declared as (i32, i32) -> i32, but the host provides (i32, i32, i32) -> i32"),
        m);
    assertTrue(m.contains("import env.proxy_frobnicate (i32) -> i32 is not provided by this host"), m);
  }

  @Test
  void importOfAnotherAbiVersionSaysWhichVersionHasIt() {
    assertEquals(
        "Wasm module cannot be loaded (ABI 0.2.1): import env.proxy_continue_request () -> i32 is not part of ABI"
            + " 0.2.1 (it belongs to ABI 0.1.0)",
        error("wrong_version_import"));
  }

  @Test
  void callbackWithTheWrongSignatureAndMissingAllocator() {
    String m = error("bad_export");
    assertTrue(m.contains("missing required export proxy_on_memory_allocate (or malloc) (i32) -> i32"), m);
    assertTrue(
        m.contains("export proxy_on_request_headers has type (i32, i32) -> i32, expected (i32, i32, i32) -> i32 for"
            + " ABI 0.2.1"),
        m);
  }

  @Test
  void importedMemoryIsRefused() {
    String m = error("no_memory");
    assertTrue(m.contains("import env.memory is a memory; this host provides only functions"), m);
    assertTrue(m.contains("missing required export memory (a memory)"), m);
  }

  @Test
  void malformedBytesAreRefusedBeforeTheEngineSeesThem() {
    assertEquals("Wasm module is malformed: not a Wasm module: 3 bytes", assertThrows(WasmException.class,
        () -> WasmModule.load(new byte[] {1, 2, 3}, 10)).getMessage());
    byte[] truncated = java.util.Arrays.copyOf(TestModules.bytes("abi_010"), 40);
    String m = assertThrows(WasmException.class, () -> WasmModule.load(truncated, 10)).getMessage();
    assertTrue(m.startsWith("Wasm module is malformed: section "), m);
  }

  @Test
  void parsesImportsWithExactTypes() {
    ModuleInfo info = ModuleParser.parse(TestModules.bytes("all_imports"));
    ModuleInfo.Import inc =
        info.imports().stream().filter(i -> i.name().equals("proxy_increment_metric")).findFirst().orElseThrow();
    assertEquals(new FuncType(List.of(ValType.I32, ValType.I64), List.of(ValType.I32)), inc.type());
    ModuleInfo.Import exit =
        info.imports().stream()
            .filter(i -> i.module().equals("wasi_unstable") && i.name().equals("proc_exit"))
            .findFirst()
            .orElseThrow();
    assertEquals("(i32) -> ()", exit.type().toString());
    assertNotNull(info.function("proxy_abi_version_0_2_1"));
  }

  @Test
  void memoryLimitIsWrittenIntoTheModule() {
    byte[] code = TestModules.bytes("abi_suite");
    ModuleInfo before = ModuleParser.parse(code);
    assertEquals(-1, before.memory().max());
    WasmModule m = WasmModule.load(code, 40);
    assertEquals(40, ModuleParser.parse(m.prepared()).memory().max());
    assertEquals(before.memory().min(), ModuleParser.parse(m.prepared()).memory().min());
    assertFalse(m.sha256().equals(m.preparedSha256()));
    // A declared maximum under the limit is kept as it is.
    byte[] seam = TestModules.bytes("vm_seam");
    assertArrayEquals(seam, ModuleParser.limitMemory(seam, 100));
    assertEquals(4, ModuleParser.parse(ModuleParser.limitMemory(seam, 4)).memory().max());
  }

  @Test
  void initialMemoryOverTheLimitIsRefused() {
    WasmException e =
        assertThrows(WasmException.class, () -> WasmModule.load(TestModules.bytes("abi_suite"), 1));
    assertEquals(
        "Wasm module cannot be loaded: the module's initial memory is 2 pages, over the limit of 1 pages",
        e.getMessage());
  }
}
