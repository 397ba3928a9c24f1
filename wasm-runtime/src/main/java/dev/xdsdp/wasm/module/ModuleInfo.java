package dev.xdsdp.wasm.module;

import dev.xdsdp.wasm.vm.FuncType;
import java.util.List;
import java.util.Map;

/**
 * What a module declares, read from its binary before anything runs: imports with their exact
 * types, exports, and its memory.
 *
 * @param imports every import in declaration order
 * @param exports exports by name
 * @param memory the module's own memory (defined, not imported), or null
 * @param hasStart whether a start section runs at instantiation (AssemblyScript's top-level code)
 */
public record ModuleInfo(
    List<Import> imports, Map<String, Export> exports, Limits memory, boolean hasStart) {

  public ModuleInfo {
    imports = List.copyOf(imports);
    exports = Map.copyOf(exports);
  }

  /** The kinds of importable and exportable things. */
  public enum Kind {
    FUNCTION,
    TABLE,
    MEMORY,
    GLOBAL,
    TAG;

    static Kind fromByte(int b) {
      return switch (b) {
        case 0 -> FUNCTION;
        case 1 -> TABLE;
        case 2 -> MEMORY;
        case 3 -> GLOBAL;
        case 4 -> TAG;
        default -> null;
      };
    }

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One import. {@code type} is set for functions only.
   */
  public record Import(String module, String name, Kind kind, FuncType type) {
    public String qualifiedName() {
      return module + "." + name;
    }
  }

  /** One export. {@code type} is set for functions only. */
  public record Export(String name, Kind kind, FuncType type) {}

  /** Memory limits in 64 KiB pages; {@code max} is -1 when the module sets none. */
  public record Limits(long min, long max, boolean shared, boolean memory64) {}

  /** The exported function {@code name}, or null. */
  public Export function(String name) {
    Export e = exports.get(name);
    return e != null && e.kind() == Kind.FUNCTION ? e : null;
  }
}
