package dev.xdsdp.wasm.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The test modules built by {@code src/test/wasm/build.sh} and committed under
 * {@code src/test/resources/wasm/}: {@code bytes("abi_suite")} and so on. Available to other
 * modules through the wasm-runtime test-jar.
 */
public final class TestModules {

  private TestModules() {}

  public static byte[] bytes(String name) {
    String path = "/wasm/" + name + ".wasm";
    try (InputStream in = TestModules.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test module " + path + " (run src/test/wasm/build.sh)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
