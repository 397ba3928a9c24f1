package dev.xdsdp.api.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BodyBufferTest {

  private static String str(BodyBuffer b) {
    return new String(b.toByteArray(), UTF_8);
  }

  @Test
  void appendPrependAndClampedReads() {
    BodyBuffer b = BodyBuffer.create();
    b.append("world".getBytes(UTF_8));
    b.prepend("hello ".getBytes(UTF_8));
    assertEquals("hello world", str(b));
    assertEquals("world", new String(b.getBytes(6, 100), UTF_8));
    assertEquals("", new String(b.getBytes(50, 1), UTF_8));
    assertEquals("hello world", new String(b.getBytes(0, Integer.MAX_VALUE), UTF_8));
  }

  @Test
  void replaceFollowsProxyWasmSetBufferSemantics() {
    BodyBuffer b = BodyBuffer.wrap("abcdef".getBytes(UTF_8));
    b.replace(0, 0, "X".getBytes(UTF_8));
    assertEquals("Xabcdef", str(b));
    b.replace(1, 3, "YY".getBytes(UTF_8));
    assertEquals("XYYdef", str(b));
    b.replace(0, Integer.MAX_VALUE, "new".getBytes(UTF_8));
    assertEquals("new", str(b));
    b.replace(99, 0, "!".getBytes(UTF_8));
    assertEquals("new!", str(b));
  }

  @Test
  void drainAndMove() {
    BodyBuffer a = BodyBuffer.wrap("12345".getBytes(UTF_8));
    a.drain(2);
    assertEquals("345", str(a));
    BodyBuffer b = BodyBuffer.create();
    b.move(a);
    assertEquals("345", str(b));
    assertEquals(0, a.length());
  }
}
