package dev.xdsdp.xds.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class XxHash64Test {

  @Test
  void knownVectors() {
    assertEquals(0xEF46DB3751D8E999L, XxHash64.hash(""));
    assertEquals(0xD24EC4F1A98C6E5BL, XxHash64.hash("a"));
    assertEquals(0x44BC2CF5AD770999L, XxHash64.hash("abc"));
    // Longer than 32 bytes, through the four-lane loop.
    assertEquals(0xFBCEA83C8A378BF1L, XxHash64.hash("Nobody inspects the spammish repetition"));
  }
}
