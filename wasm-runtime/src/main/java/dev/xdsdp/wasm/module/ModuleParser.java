package dev.xdsdp.wasm.module;

import dev.xdsdp.wasm.vm.FuncType;
import dev.xdsdp.wasm.vm.ValType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the sections of a Wasm binary that decide whether we can host it (types, imports,
 * functions, memories, exports, start), and can rewrite the memory limits. It validates structure
 * only as far as it reads; the engine validates the rest.
 */
public final class ModuleParser {

  static final int SECTION_TYPE = 1;
  static final int SECTION_IMPORT = 2;
  static final int SECTION_FUNCTION = 3;
  static final int SECTION_MEMORY = 5;
  static final int SECTION_EXPORT = 7;
  static final int SECTION_START = 8;

  private static final byte[] MAGIC = {0x00, 0x61, 0x73, 0x6D};

  private ModuleParser() {}

  /** Parses {@code bytes}. */
  public static ModuleInfo parse(byte[] bytes) {
    Reader r = header(bytes);
    List<FuncType> types = new ArrayList<>();
    List<ModuleInfo.Import> imports = new ArrayList<>();
    List<FuncType> functions = new ArrayList<>(); // imported functions first, then defined
    Map<String, ModuleInfo.Export> exports = new HashMap<>();
    ModuleInfo.Limits memory = null;
    boolean hasStart = false;
    while (r.more()) {
      int id = r.u8();
      int size = r.u32();
      int end = r.pos + size;
      if (end > bytes.length || size < 0) {
        throw new ModuleFormatException("section " + id + " runs past the end of the module");
      }
      Reader s = new Reader(bytes, r.pos, end);
      switch (id) {
        case SECTION_TYPE -> {
          int n = s.u32();
          for (int i = 0; i < n; i++) {
            int form = s.u8();
            if (form != 0x60) {
              throw new ModuleFormatException("type " + i + ": unsupported form 0x" + Integer.toHexString(form));
            }
            List<ValType> params = s.valTypes();
            List<ValType> results = s.valTypes();
            types.add(new FuncType(params, results));
          }
        }
        case SECTION_IMPORT -> {
          int n = s.u32();
          for (int i = 0; i < n; i++) {
            String module = s.name();
            String name = s.name();
            int kindByte = s.u8();
            ModuleInfo.Kind kind = ModuleInfo.Kind.fromByte(kindByte);
            if (kind == null) {
              throw new ModuleFormatException("import " + module + "." + name + ": unknown kind " + kindByte);
            }
            FuncType type = null;
            switch (kind) {
              case FUNCTION -> {
                type = typeAt(types, s.u32(), module + "." + name);
                functions.add(type);
              }
              case TABLE -> {
                s.u8();
                s.limits();
              }
              case MEMORY -> s.limits();
              case GLOBAL -> {
                s.u8();
                s.u8();
              }
              case TAG -> {
                s.u8();
                s.u32();
              }
            }
            imports.add(new ModuleInfo.Import(module, name, kind, type));
          }
        }
        case SECTION_FUNCTION -> {
          int n = s.u32();
          for (int i = 0; i < n; i++) {
            functions.add(typeAt(types, s.u32(), "function " + i));
          }
        }
        case SECTION_MEMORY -> {
          int n = s.u32();
          if (n > 0) {
            memory = s.limits();
          }
        }
        case SECTION_EXPORT -> {
          int n = s.u32();
          for (int i = 0; i < n; i++) {
            String name = s.name();
            ModuleInfo.Kind kind = ModuleInfo.Kind.fromByte(s.u8());
            int index = s.u32();
            FuncType type = null;
            if (kind == ModuleInfo.Kind.FUNCTION) {
              if (index < 0 || index >= functions.size()) {
                throw new ModuleFormatException("export " + name + ": function index " + index + " out of range");
              }
              type = functions.get(index);
            }
            exports.put(name, new ModuleInfo.Export(name, kind, type));
          }
        }
        case SECTION_START -> hasStart = true;
        default -> {}
      }
      r.pos = end;
    }
    return new ModuleInfo(imports, exports, memory, hasStart);
  }

  /**
   * Returns a copy of {@code bytes} whose defined memory has its maximum lowered to
   * {@code maxPages} (or set, when the module declares none), so {@code memory.grow} past the
   * limit fails inside the guest as the Wasm spec says, instead of growing the process.
   *
   * @throws ModuleFormatException when the memory's initial size already exceeds the limit
   */
  public static byte[] limitMemory(byte[] bytes, long maxPages) {
    Reader r = header(bytes);
    while (r.more()) {
      int sectionStart = r.pos;
      int id = r.u8();
      int size = r.u32();
      int bodyStart = r.pos;
      int end = bodyStart + size;
      if (id == SECTION_MEMORY) {
        Reader s = new Reader(bytes, bodyStart, end);
        int n = s.u32();
        if (n == 0) {
          return bytes;
        }
        ModuleInfo.Limits limits = s.limits();
        if (limits.min() > maxPages) {
          throw new ModuleFormatException(
              "the module's initial memory is " + limits.min() + " pages, over the limit of " + maxPages + " pages");
        }
        long max = limits.max() < 0 ? maxPages : Math.min(limits.max(), maxPages);
        if (max == limits.max()) {
          return bytes;
        }
        Writer w = new Writer();
        w.u32(n);
        int flags = (limits.shared() ? 2 : 0) | (limits.memory64() ? 4 : 0) | 1;
        w.u8(flags);
        w.u64(limits.min());
        w.u64(max);
        w.raw(bytes, s.pos, end - s.pos); // further memories (multi-memory) unchanged
        byte[] body = w.toBytes();
        Writer out = new Writer();
        out.raw(bytes, 0, sectionStart);
        out.u8(SECTION_MEMORY);
        out.u32(body.length);
        out.raw(body, 0, body.length);
        out.raw(bytes, end, bytes.length - end);
        return out.toBytes();
      }
      r.pos = end;
    }
    return bytes;
  }

  private static Reader header(byte[] bytes) {
    if (bytes.length < 8) {
      throw new ModuleFormatException("not a Wasm module: " + bytes.length + " bytes");
    }
    for (int i = 0; i < 4; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new ModuleFormatException("not a Wasm module: bad magic number");
      }
    }
    if (bytes[4] != 1 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) {
      throw new ModuleFormatException("unsupported Wasm binary version (only version 1 is supported)");
    }
    return new Reader(bytes, 8, bytes.length);
  }

  private static FuncType typeAt(List<FuncType> types, int index, String what) {
    if (index < 0 || index >= types.size()) {
      throw new ModuleFormatException(what + ": type index " + index + " out of range");
    }
    return types.get(index);
  }

  /** A structural error in the binary. */
  public static final class ModuleFormatException extends RuntimeException {
    public ModuleFormatException(String message) {
      super(message);
    }
  }

  private static final class Reader {
    final byte[] b;
    int pos;
    final int end;

    Reader(byte[] b, int pos, int end) {
      this.b = b;
      this.pos = pos;
      this.end = end;
    }

    boolean more() {
      return pos < end;
    }

    int u8() {
      if (pos >= end) {
        throw new ModuleFormatException("unexpected end of section at byte " + pos);
      }
      return b[pos++] & 0xFF;
    }

    long u64() {
      long result = 0;
      int shift = 0;
      while (true) {
        int x = u8();
        result |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return result;
        }
        shift += 7;
        if (shift > 63) {
          throw new ModuleFormatException("LEB128 number too long at byte " + pos);
        }
      }
    }

    int u32() {
      long v = u64();
      if (v > 0xFFFFFFFFL) {
        throw new ModuleFormatException("u32 out of range at byte " + pos);
      }
      return (int) v;
    }

    String name() {
      int len = u32();
      if (len < 0 || pos + len > end) {
        throw new ModuleFormatException("name runs past the end of its section at byte " + pos);
      }
      String s = new String(b, pos, len, StandardCharsets.UTF_8);
      pos += len;
      return s;
    }

    List<ValType> valTypes() {
      int n = u32();
      List<ValType> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int t = u8();
        ValType v = ValType.fromByte(t);
        if (v == null) {
          throw new ModuleFormatException("unknown value type 0x" + Integer.toHexString(t));
        }
        out.add(v);
      }
      return out;
    }

    ModuleInfo.Limits limits() {
      int flags = u8();
      long min = u64();
      long max = (flags & 1) != 0 ? u64() : -1;
      return new ModuleInfo.Limits(min, max, (flags & 2) != 0, (flags & 4) != 0);
    }
  }

  private static final class Writer {
    private byte[] buf = new byte[256];
    private int len;

    void u8(int v) {
      ensure(1);
      buf[len++] = (byte) v;
    }

    void u32(int v) {
      u64(v & 0xFFFFFFFFL);
    }

    void u64(long v) {
      do {
        int x = (int) (v & 0x7F);
        v >>>= 7;
        u8(v != 0 ? x | 0x80 : x);
      } while (v != 0);
    }

    void raw(byte[] src, int off, int n) {
      ensure(n);
      System.arraycopy(src, off, buf, len, n);
      len += n;
    }

    private void ensure(int n) {
      if (len + n > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    byte[] toBytes() {
      return java.util.Arrays.copyOf(buf, len);
    }
  }
}
