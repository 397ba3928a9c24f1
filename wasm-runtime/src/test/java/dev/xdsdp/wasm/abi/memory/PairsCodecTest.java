package dev.xdsdp.wasm.abi.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PairsCodecTest {

  @Test
  void encodesTheSpecExample() {
    byte[] expected = {
      2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 'a', 0, '1', 0, 'b', 0, '2', '2', 0
    };
    byte[] encoded = PairsCodec.encode(List.of(Map.entry("a", "1"), Map.entry("b", "22")));
    assertArrayEquals(expected, encoded);
    assertEquals(29, encoded.length);
    assertEquals(List.of(Map.entry("a", "1"), Map.entry("b", "22")), PairsCodec.decode(expected));
  }

  @Test
  void emptyMapIsNoBytesOrOneNul() {
    assertEquals(0, PairsCodec.encode(List.of()).length);
    assertEquals(List.of(), PairsCodec.decode(new byte[0]));
    assertEquals(List.of(), PairsCodec.decode(new byte[] {0}));
    assertEquals(List.of(), PairsCodec.decode(new byte[] {0, 0, 0, 0}));
  }

  @Test
  void keepsEmptyValuesAndUtf8() {
    List<Map.Entry<String, String>> pairs = List.of(Map.entry("k", ""), Map.entry("ü", "✓"));
    assertEquals(pairs, PairsCodec.decode(PairsCodec.encode(pairs)));
  }

  @Test
  void refusesMalformedInput() {
    byte[] good = PairsCodec.encode(List.of(Map.entry("a", "1")));
    // Count larger than the data.
    byte[] count = good.clone();
    count[0] = 5;
    assertNull(PairsCodec.decode(count));
    // Missing NUL after the value.
    byte[] nul = good.clone();
    nul[nul.length - 1] = 'x';
    assertNull(PairsCodec.decode(nul));
    // Trailing bytes.
    assertNull(PairsCodec.decode(java.util.Arrays.copyOf(good, good.length + 1)));
    // Sizes past the end.
    byte[] size = good.clone();
    size[4] = 100;
    assertNull(PairsCodec.decode(size));
    // Too many pairs.
    ByteBuffer many = ByteBuffer.allocate(4 + 1025 * 8).order(ByteOrder.LITTLE_ENDIAN).putInt(1025);
    assertNull(PairsCodec.decode(many.array()));
    // Fewer than 4 bytes that are not the empty map.
    assertNull(PairsCodec.decode(new byte[] {1, 0}));
  }
}
