package dev.xdsdp.wasm.module;

/** The proxy-wasm ABI versions this host runs, detected from the {@code proxy_abi_version_*} export. */
public enum AbiVersion {
  V0_1_0("0.1.0", "proxy_abi_version_0_1_0"),
  V0_2_0("0.2.0", "proxy_abi_version_0_2_0"),
  V0_2_1("0.2.1", "proxy_abi_version_0_2_1");

  private final String text;
  private final String marker;

  AbiVersion(String text, String marker) {
    this.text = text;
    this.marker = marker;
  }

  /** The marker export a module of this version carries. */
  public String marker() {
    return marker;
  }

  /** True for 0.2.0 and later (three-argument headers callbacks, continue_stream, ...). */
  public boolean atLeast02() {
    return this != V0_1_0;
  }

  @Override
  public String toString() {
    return text;
  }
}
