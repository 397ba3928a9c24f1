package dev.xdsdp.api.http;

/**
 * A growable byte buffer holding (part of) a request or response body, as Envoy's
 * {@code Buffer::Instance}. Filters read and rewrite it in place.
 *
 * <p>Not thread-safe: a buffer belongs to one stream and is used on that stream's event loop.
 */
public interface BodyBuffer {

  static BodyBuffer create() {
    return new ByteArrayBodyBuffer(new byte[0], 0);
  }

  /** A buffer that takes ownership of {@code bytes} (the caller must not modify them after). */
  static BodyBuffer wrap(byte[] bytes) {
    return new ByteArrayBodyBuffer(bytes, bytes.length);
  }

  int length();

  default boolean isEmpty() {
    return length() == 0;
  }

  /**
   * Copies {@code length} bytes starting at {@code start}. Ranges past the end are clamped, so
   * reading (0, Integer.MAX_VALUE) returns everything.
   */
  byte[] getBytes(int start, int length);

  /** A copy of the whole content. */
  default byte[] toByteArray() {
    return getBytes(0, length());
  }

  void append(byte[] data);

  default void append(BodyBuffer other) {
    append(other.toByteArray());
  }

  void prepend(byte[] data);

  /**
   * Replaces {@code length} bytes at {@code start} with {@code data} (which may be longer or
   * shorter), the semantics of proxy-wasm's {@code proxy_set_buffer_bytes}. A start past the end
   * appends; a length past the end is clamped.
   */
  void replace(int start, int length, byte[] data);

  /** Removes the first {@code length} bytes (clamped). */
  void drain(int length);

  default void clear() {
    drain(length());
  }

  /** Moves the whole content of {@code other} to the end of this buffer, leaving it empty. */
  default void move(BodyBuffer other) {
    append(other.toByteArray());
    other.clear();
  }
}
