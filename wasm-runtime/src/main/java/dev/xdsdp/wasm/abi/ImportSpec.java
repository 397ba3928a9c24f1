package dev.xdsdp.wasm.abi;

import dev.xdsdp.wasm.module.AbiVersion;
import dev.xdsdp.wasm.vm.FuncType;
import java.util.List;
import java.util.Set;

/**
 * One function the host provides: its module and name, its exact signature, the ABI versions that
 * get it, and signatures some SDKs declare instead that the implementation also accepts.
 */
public record ImportSpec(
    String module, String name, FuncType type, Set<AbiVersion> versions, List<FuncType> alternatives) {

  public ImportSpec {
    versions = Set.copyOf(versions);
    alternatives = List.copyOf(alternatives);
  }

  public String qualifiedName() {
    return module + "." + name;
  }

  /** True when a module may import this function with {@code declared}. */
  public boolean accepts(FuncType declared) {
    return type.equals(declared) || alternatives.contains(declared);
  }
}
