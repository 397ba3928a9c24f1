package dev.xdsdp.wasm.vm;

/** A WebAssembly value type, with the text-format name used in error messages. */
public enum ValType {
  I32("i32"),
  I64("i64"),
  F32("f32"),
  F64("f64"),
  V128("v128"),
  FUNCREF("funcref"),
  EXTERNREF("externref");

  private final String text;

  ValType(String text) {
    this.text = text;
  }

  /** The type for a binary-format type byte, or null for an unknown byte. */
  public static ValType fromByte(int b) {
    return switch (b) {
      case 0x7F -> I32;
      case 0x7E -> I64;
      case 0x7D -> F32;
      case 0x7C -> F64;
      case 0x7B -> V128;
      case 0x70 -> FUNCREF;
      case 0x6F -> EXTERNREF;
      default -> null;
    };
  }

  @Override
  public String toString() {
    return text;
  }
}
