package dev.xdsdp.it.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** Reading the access log file a data plane under test writes (it is flushed asynchronously). */
public final class AccessLogFile {

  private AccessLogFile() {}

  /** The first line of {@code log} that starts with {@code prefix}, waiting up to 5 s for the flush. */
  public static String line(Path log, String prefix) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        for (String l : Files.readAllLines(log)) {
          if (l.startsWith(prefix)) {
            return l;
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no access log line starting with '" + prefix + "' in " + log);
  }
}
