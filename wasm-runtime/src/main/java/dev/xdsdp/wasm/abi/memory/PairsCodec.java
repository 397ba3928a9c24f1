package dev.xdsdp.wasm.abi.memory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Envoy's header-map serialization (cpp-host {@code src/pairs_util.cc}), little-endian:
 * {@code u32 N}, then N × ({@code u32 key_len}, {@code u32 value_len}), then N × (key, NUL, value,
 * NUL). Also the encoding of map-valued properties.
 */
public final class PairsCodec {

  /** cpp-host's {@code PROXY_WASM_HOST_PAIRS_MAX_BYTES}. */
  public static final int MAX_BYTES = 1 << 20;
  /** cpp-host's {@code PROXY_WASM_HOST_PAIRS_MAX_COUNT}. */
  public static final int MAX_COUNT = 1024;

  private PairsCodec() {}

  /** Serializes pairs; an empty list gives an empty array (returned to the guest as (0, 0)). */
  public static byte[] encode(List<Map.Entry<String, String>> pairs) {
    if (pairs.isEmpty()) {
      return new byte[0];
    }
    List<byte[]> keys = new ArrayList<>(pairs.size());
    List<byte[]> values = new ArrayList<>(pairs.size());
    int size = 4;
    for (Map.Entry<String, String> e : pairs) {
      byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
      keys.add(k);
      values.add(v);
      size += 8 + k.length + v.length + 2;
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(pairs.size());
    for (int i = 0; i < keys.size(); i++) {
      b.putInt(keys.get(i).length);
      b.putInt(values.get(i).length);
    }
    for (int i = 0; i < keys.size(); i++) {
      b.put(keys.get(i)).put((byte) 0).put(values.get(i)).put((byte) 0);
    }
    return b.array();
  }

  /**
   * Parses serialized pairs, or returns null when they are malformed: over 1 MiB, over 1024 pairs,
   * sizes past the end, a missing NUL, or trailing bytes (cpp-host then treats the map as empty;
   * we report it so the caller can answer {@code BAD_ARGUMENT}). Zero bytes, or a single NUL byte,
   * is the empty map.
   */
  public static List<Map.Entry<String, String>> decode(byte[] data) {
    if (data.length == 0 || (data.length == 1 && data[0] == 0)) {
      return List.of();
    }
    if (data.length > MAX_BYTES || data.length < 4) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getInt() & 0xFFFFFFFFL;
    if (n > MAX_COUNT || 4 + n * 8 > data.length) {
      return null;
    }
    int count = (int) n;
    long[] sizes = new long[count * 2];
    for (int i = 0; i < count * 2; i++) {
      sizes[i] = b.getInt() & 0xFFFFFFFFL;
    }
    int pos = 4 + count * 8;
    List<Map.Entry<String, String>> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long kl = sizes[2 * i];
      long vl = sizes[2 * i + 1];
      if (pos + kl + 1 + vl + 1 > data.length) {
        return null;
      }
      String k = new String(data, pos, (int) kl, StandardCharsets.UTF_8);
      pos += (int) kl;
      if (data[pos++] != 0) {
        return null;
      }
      String v = new String(data, pos, (int) vl, StandardCharsets.UTF_8);
      pos += (int) vl;
      if (data[pos++] != 0) {
        return null;
      }
      out.add(Map.entry(k, v));
    }
    return pos == data.length ? out : null;
  }
}
