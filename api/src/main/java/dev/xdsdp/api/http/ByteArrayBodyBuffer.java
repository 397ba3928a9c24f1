package dev.xdsdp.api.http;

import java.util.Arrays;

/** {@link BodyBuffer} over one growable array. */
final class ByteArrayBodyBuffer implements BodyBuffer {

  private byte[] bytes;
  private int length;

  ByteArrayBodyBuffer(byte[] bytes, int length) {
    this.bytes = bytes;
    this.length = length;
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public byte[] getBytes(int start, int len) {
    if (start < 0 || len < 0) {
      throw new IndexOutOfBoundsException("start=" + start + " length=" + len);
    }
    if (start >= length) {
      return new byte[0];
    }
    int end = (int) Math.min((long) start + len, length);
    return Arrays.copyOfRange(bytes, start, end);
  }

  private void ensureCapacity(int needed) {
    if (needed > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(needed, Math.max(64, bytes.length * 2)));
    }
  }

  @Override
  public void append(byte[] data) {
    ensureCapacity(length + data.length);
    System.arraycopy(data, 0, bytes, length, data.length);
    length += data.length;
  }

  @Override
  public void prepend(byte[] data) {
    replace(0, 0, data);
  }

  @Override
  public void replace(int start, int len, byte[] data) {
    if (start < 0 || len < 0) {
      throw new IndexOutOfBoundsException("start=" + start + " length=" + len);
    }
    if (start > length) {
      start = length;
    }
    int removed = (int) Math.min(len, (long) length - start);
    int newLength = length - removed + data.length;
    ensureCapacity(newLength);
    System.arraycopy(bytes, start + removed, bytes, start + data.length, length - start - removed);
    System.arraycopy(data, 0, bytes, start, data.length);
    length = newLength;
  }

  @Override
  public void drain(int len) {
    replace(0, Math.max(0, len), new byte[0]);
  }

  @Override
  public String toString() {
    return "BodyBuffer[" + length + " bytes]";
  }
}
