package dev.xdsdp.it.wasm;

import dev.xdsdp.wasm.module.WasmModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Wasm modules the data plane tests load: this module's own ({@code src/test/wasm}, built by its
 * {@code build.sh}) and the wasm-runtime test-jar's, as bytes or as files a bootstrap can name.
 */
final class Modules {

  /** The integration tests' filter: see {@code src/test/wasm/c/http_filter.c}. */
  static final String HTTP_FILTER = "http_filter";
  /** The G-Core AssemblyScript SDK module of the wasm-runtime test-jar. */
  static final String AS_GCORE = "as_gcore";
  /** The network filter of the wasm-runtime test-jar: see its {@code c/tcp_filter.c}. */
  static final String TCP_FILTER = "tcp_filter";
  /** The access logger of the wasm-runtime test-jar: see its {@code c/access_logger.c}. */
  static final String ACCESS_LOGGER = "access_logger";
  /** Queue producer filter and aggregating service in one module: {@code c/shared_queue.c}. */
  static final String SHARED_QUEUE = "shared_queue";
  /** {@link #SHARED_QUEUE} without {@code proxy_on_queue_ready}. */
  static final String SHARED_QUEUE_NOREADY = "shared_queue_noready";

  private Modules() {}

  static byte[] bytes(String name) {
    try (InputStream in = Modules.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
      if (in == null) {
        throw new IllegalArgumentException("no module wasm/" + name + ".wasm on the test class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The module written to a file under {@code dir}. */
  static Path file(Path dir, String name) {
    try {
      Path p = dir.resolve(name + ".wasm");
      Files.write(p, bytes(name));
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(String name) {
    return WasmModule.sha256(bytes(name));
  }
}
