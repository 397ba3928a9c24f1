package dev.xdsdp.wasm.module;

import dev.xdsdp.wasm.WasmException;
import dev.xdsdp.wasm.abi.ImportSpec;
import dev.xdsdp.wasm.abi.ImportTable;
import dev.xdsdp.wasm.abi.ModuleExports;
import dev.xdsdp.wasm.vm.FuncType;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before instantiation, that this host can run a module: every import is one we provide
 * with the same signature, the required exports are there, and every callback we will call has
 * the signature we will call it with. Each problem is reported with the name and both signatures,
 * all at once.
 */
public final class ModuleValidator {

  private ModuleValidator() {}

  /**
   * @throws WasmException listing every problem found
   */
  public static void validate(ModuleInfo info, AbiVersion version) {
    List<String> problems = new ArrayList<>();
    ImportTable table = ImportTable.forVersion(version);
    for (ModuleInfo.Import imp : info.imports()) {
      if (imp.kind() != ModuleInfo.Kind.FUNCTION) {
        problems.add("import " + imp.qualifiedName() + " is a " + imp.kind()
            + "; this host provides only functions (the module must define and export its own memory)");
        continue;
      }
      ImportSpec spec = table.find(imp.module(), imp.name());
      if (spec == null) {
        ImportSpec other = ImportTable.findInAnyVersion(imp.module(), imp.name());
        if (other != null) {
          problems.add("import " + imp.qualifiedName() + " " + imp.type() + " is not part of ABI " + version
              + " (it belongs to ABI " + versions(other) + ")");
        } else {
          problems.add("import " + imp.qualifiedName() + " " + imp.type() + " is not provided by this host");
        }
        continue;
      }
      if (!spec.accepts(imp.type())) {
        problems.add("import " + imp.qualifiedName() + " is declared as " + imp.type() + ", but the host provides "
            + spec.type());
      }
    }
    ModuleInfo.Export memory = info.exports().get("memory");
    if (memory == null || memory.kind() != ModuleInfo.Kind.MEMORY) {
      problems.add("missing required export memory (a memory)");
    }
    if (info.function("malloc") == null && info.function("proxy_on_memory_allocate") == null) {
      problems.add("missing required export proxy_on_memory_allocate (or malloc) " + FuncType.i32s(1));
    }
    for (String name : ModuleExports.knownNames()) {
      ModuleInfo.Export e = info.exports().get(name);
      if (e == null) {
        continue;
      }
      FuncType expected = ModuleExports.expectedType(version, name);
      if (expected == null) {
        continue;
      }
      if (e.kind() != ModuleInfo.Kind.FUNCTION) {
        problems.add("export " + name + " is a " + e.kind() + ", expected a function " + expected);
      } else if (!expected.equals(e.type())) {
        problems.add("export " + name + " has type " + e.type() + ", expected " + expected + " for ABI " + version);
      }
    }
    if (!problems.isEmpty()) {
      throw new WasmException("Wasm module cannot be loaded (ABI " + version + "): " + String.join("; ", problems));
    }
  }

  private static String versions(ImportSpec spec) {
    List<String> v = new ArrayList<>();
    for (AbiVersion a : AbiVersion.values()) {
      if (spec.versions().contains(a)) {
        v.add(a.toString());
      }
    }
    return String.join("/", v);
  }
}
