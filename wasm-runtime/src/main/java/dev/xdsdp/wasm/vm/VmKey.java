package dev.xdsdp.wasm.vm;

import java.util.Objects;

/**
 * What makes compiled code shareable: the {@code vm_id} and the sha256 of the exact bytes compiled
 * (which include the memory limit this host writes into the module).
 */
public record VmKey(String vmId, String sha256) {
  public VmKey {
    Objects.requireNonNull(vmId, "vmId");
    Objects.requireNonNull(sha256, "sha256");
  }
}
