package dev.xdsdp.wasm.vm.graal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.wasm.module.WasmModule;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestModules;
import dev.xdsdp.wasm.vm.CompiledModule;
import dev.xdsdp.wasm.vm.FuncType;
import dev.xdsdp.wasm.vm.HostImport;
import dev.xdsdp.wasm.vm.ValType;
import dev.xdsdp.wasm.vm.VmKey;
import dev.xdsdp.wasm.vm.WasmEngine;
import dev.xdsdp.wasm.vm.WasmFault;
import dev.xdsdp.wasm.vm.WasmVm;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine seam on its own: linking, calls both ways, memory, traps and interrupts. */
class GraalWasmVmTest {

  private final AtomicLong sunk = new AtomicLong();
  private CompiledModule compiled;
  private WasmVm vm;

  private static WasmEngine engine() {
    return PluginHarness.runtime().engine();
  }

  @BeforeEach
  void setUp() {
    byte[] code = TestModules.bytes("vm_seam");
    compiled = engine().compile(new VmKey("seam", WasmModule.sha256(code)), code);
    vm = compiled.newVm();
    vm.link(
        List.of(
            new HostImport("test", "add", FuncType.i32s(2), a -> a[0] + a[1]),
            new HostImport("test", "wide", new FuncType(List.of(ValType.I64), List.of(ValType.I64)), a -> a[0] * 2),
            new HostImport("test", "sink", FuncType.i32sVoid(1), a -> {
              sunk.set(a[0]);
              return 0;
            }),
            new HostImport("test", "fail", FuncType.i32sVoid(0), a -> {
              throw new WasmFault(WasmFault.Kind.EXIT, "host says stop");
            })));
  }

  @AfterEach
  void tearDown() {
    vm.close();
    compiled.release();
  }

  @Test
  void callsGuestAndHostFunctionsOfEveryShape() {
    assertEquals(7, vm.function("call_add").call(3, 4));
    assertEquals(-18000000000L, vm.function("call_wide").call());
    vm.function("call_sink").call(-2);
    assertEquals(-2, sunk.get());
    assertEquals(-5, vm.function("negative").call());
    assertNull(vm.function("no_such_export"));
    assertNull(vm.function("memory"));
  }

  @Test
  void aHostCallNestedInsideTheSameImportKeepsBothCallsArguments() {
    // "add" re-enters the guest, which calls "add" again before the outer call reads its own
    // arguments: the adapter's reused argument array must not be shared between the two.
    WasmVm nested = compiled.newVm();
    try {
      WasmVm[] self = {nested};
      nested.link(List.of(
          new HostImport("test", "add", FuncType.i32s(2), a -> {
            long depth = a[0];
            long inner = depth == 0 ? 0 : self[0].function("call_add").call(depth - 1, a[1]);
            return inner + a[0] * 100 + a[1];
          }),
          new HostImport("test", "wide", new FuncType(List.of(ValType.I64), List.of(ValType.I64)), a -> a[0]),
          new HostImport("test", "sink", FuncType.i32sVoid(1), a -> 0),
          new HostImport("test", "fail", FuncType.i32sVoid(0), a -> 0)));
      // add(3, 1) = (300 + 1) + (200 + 1) + (100 + 1) + (0 + 1)
      assertEquals(604, nested.function("call_add").call(3, 1));
      assertEquals(604, nested.function("call_add").call(3, 1), "the reused array is clean again");
    } finally {
      nested.close();
    }
  }

  @Test
  void compiledModulesAreSharedByKey() {
    byte[] code = TestModules.bytes("vm_seam");
    CompiledModule again = engine().compile(new VmKey("seam", WasmModule.sha256(code)), code);
    try {
      assertSame(compiled, again);
    } finally {
      again.release();
    }
  }

  @Test
  void memoryViewFollowsGrowth() {
    assertEquals(65536, vm.memorySize());
    assertEquals('s', vm.memory().get(8));
    assertEquals(1, vm.function("grow").call(2));
    assertEquals(3 * 65536, vm.memorySize());
    vm.function("store").call(3 * 65536 - 4, 0x01020304);
    assertEquals(0x01020304, vm.memory().getInt(3 * 65536 - 4));
    // The declared maximum (8 pages) holds.
    assertEquals(-1, vm.function("grow").call(6));
  }

  @Test
  void trapsBecomeFaults() {
    WasmFault f = assertThrows(WasmFault.class, () -> vm.function("trap").call());
    assertEquals(WasmFault.Kind.TRAP, f.kind());
    assertTrue(f.getMessage().contains("unreachable"), f.getMessage());
  }

  @Test
  void aFaultThrownByTheHostReachesTheCallerUnchanged() {
    WasmFault f = assertThrows(WasmFault.class, () -> vm.function("call_fail").call());
    assertEquals(WasmFault.Kind.EXIT, f.kind());
    assertEquals("exit: host says stop", f.getMessage());
  }

  @Test
  void interruptStopsARunawayCallQuickly() throws Exception {
    CompletableFuture<WasmFault> result = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                vm.function("spin").call();
                result.complete(null);
              } catch (WasmFault f) {
                result.complete(f);
              }
            });
    t.start();
    Thread.sleep(200);
    long start = System.nanoTime();
    vm.interrupt();
    WasmFault f = result.get(5, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(WasmFault.Kind.CPU_LIMIT, f.kind());
    assertTrue(ms < 100, "stopped after " + ms + " ms");
  }

  @Test
  void closedVmRefusesCalls() {
    vm.close();
    assertEquals(WasmFault.Kind.CLOSED, assertThrows(WasmFault.class, () -> vm.function("negative")).kind());
  }
}
