package dev.xdsdp.api.http;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An ordered, multi-valued HTTP header map, as Envoy's {@code HeaderMap}.
 *
 * <p>Names are stored lower-case (HTTP/2 requires it and Envoy normalises HTTP/1 the same way), so
 * lookups are case-insensitive. Pseudo-headers ({@code :method}, {@code :path},
 * {@code :authority}, {@code :scheme} on requests, {@code :status} on responses) are ordinary
 * entries kept ahead of the regular headers, which is the order proxy-wasm modules see.
 *
 * <p>Not thread-safe: a map belongs to one stream and is used on that stream's event loop.
 */
public interface HeaderMap {

  /** A new empty map. */
  static HeaderMap create() {
    return new ListHeaderMap();
  }

  /** The first value of {@code name}, or null. */
  String get(String name);

  /** Every value of {@code name} in insertion order; empty when absent. */
  List<String> getAll(String name);

  boolean contains(String name);

  /** Appends a value, keeping the existing ones. */
  void add(String name, String value);

  /** Replaces all values of {@code name} with one value (adds it when absent). */
  void set(String name, String value);

  /** Removes every value of {@code name}; returns how many entries were removed. */
  int remove(String name);

  /** Removes every entry whose name starts with {@code prefix} (lower-case). */
  int removePrefix(String prefix);

  /** Number of entries (a name with two values counts twice). */
  int size();

  boolean isEmpty();

  void clear();

  /** Visits every entry in order. The action must not modify this map. */
  void forEach(BiConsumer<String, String> action);

  /** A copy of the entries in order. */
  List<Map.Entry<String, String>> entries();

  /** Sum of name and value lengths, as Envoy's {@code byteSize()}. */
  long byteSize();

  /** A deep copy. */
  HeaderMap copy();

  // Convenience accessors for pseudo-headers.

  default String method() {
    return get(":method");
  }

  default String path() {
    return get(":path");
  }

  default String authority() {
    return get(":authority");
  }

  default String scheme() {
    return get(":scheme");
  }

  /** The {@code :status} value as a number, or 0 when absent or not a number. */
  default int status() {
    String s = get(":status");
    if (s == null) {
      return 0;
    }
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
