package dev.xdsdp.wasm.vm;

import java.util.Objects;

/** One function the host offers a module: {@code module.name} with an exact signature. */
public record HostImport(String module, String name, FuncType type, HostFunction function) {

  public HostImport {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(function, "function");
  }

  public String qualifiedName() {
    return module + "." + name;
  }
}
