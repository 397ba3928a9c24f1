package dev.xdsdp.wasm.module;

import dev.xdsdp.wasm.WasmException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A module's code, checked and ready to compile: its ABI version, what it imports and exports,
 * and the bytes to compile (the original with the memory limit written in).
 *
 * @param sha256 hex sha256 of the original code, as Envoy's code cache keys it
 * @param version the detected ABI version
 * @param info imports, exports and memory of the module
 * @param prepared the bytes to compile
 * @param maxMemoryPages the page limit written into {@code prepared}
 */
public record WasmModule(String sha256, AbiVersion version, ModuleInfo info, byte[] prepared, long maxMemoryPages) {

  /**
   * Parses, detects the ABI, validates and applies the memory limit.
   *
   * @throws WasmException naming the first structural problem, or every ABI problem
   */
  public static WasmModule load(byte[] code, long maxMemoryPages) {
    ModuleInfo info;
    try {
      info = ModuleParser.parse(code);
    } catch (ModuleParser.ModuleFormatException e) {
      throw new WasmException("Wasm module is malformed: " + e.getMessage(), e);
    }
    AbiVersion version = AbiDetector.detect(info);
    ModuleValidator.validate(info, version);
    byte[] prepared;
    try {
      prepared = ModuleParser.limitMemory(code, maxMemoryPages);
    } catch (ModuleParser.ModuleFormatException e) {
      throw new WasmException("Wasm module cannot be loaded: " + e.getMessage(), e);
    }
    return new WasmModule(sha256(code), version, info, prepared, maxMemoryPages);
  }

  /** Hex sha256 of the bytes that are compiled (differs from {@link #sha256()} when the limit was applied). */
  public String preparedSha256() {
    return sha256(prepared);
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
