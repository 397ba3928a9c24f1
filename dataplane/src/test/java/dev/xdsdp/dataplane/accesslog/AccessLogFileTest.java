package dev.xdsdp.dataplane.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogFileTest {

  @TempDir Path dir;

  private static String read(Path p) throws Exception {
    return Files.exists(p) ? Files.readString(p) : "";
  }

  private static long waitFor(BooleanSupplier condition, Duration timeout) throws Exception {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - start > timeout.toNanos()) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(10);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static BooleanSupplier contains(Path p, String s) {
    return () -> {
      try {
        return read(p).contains(s);
      } catch (Exception e) {
        return false;
      }
    };
  }

  @Test
  void entriesReachTheFileAfterTheFlushInterval() throws Exception {
    Path log = dir.resolve("access.log");
    try (AccessLogManager manager = new AccessLogManager(Duration.ofMillis(1500), null)) {
      AccessLogFile file = manager.file(log.toString());
      assertTrue(Files.exists(log), "the file is created when the log is configured");
      long start = System.nanoTime();
      file.write("first line\n");
      file.write("second line\n");
      // Buffered, not written: the writer waits for its timer.
      assertEquals("", read(log));
      waitFor(contains(log, "second line\n"), Duration.ofSeconds(20));
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(elapsedMs >= 1400, "flushed after " + elapsedMs + " ms, before the interval");
      assertEquals("first line\nsecond line\n", read(log));
    }
  }

  @Test
  void aBufferPast64KiBIsWrittenWithoutWaitingForTheTimer() throws Exception {
    Path log = dir.resolve("big.log");
    try (AccessLogManager manager = new AccessLogManager(Duration.ofMinutes(10), null)) {
      AccessLogFile file = manager.file(log.toString());
      String line = "x".repeat(99) + "\n";
      for (int i = 0; i < 700; i++) { // 70,000 bytes > 64 KiB
        file.write(line);
      }
      waitFor(() -> {
        try {
          return Files.size(log) >= 65_536;
        } catch (Exception e) {
          return false;
        }
      }, Duration.ofSeconds(20));
      file.write("tail\n");
      Thread.sleep(200);
      // The small tail waits for the 10 minute timer.
      assertTrue(!read(log).endsWith("tail\n"));
    }
    // close() flushed the rest.
    String all = read(log);
    assertEquals(700 * 100 + 5, all.length());
    assertTrue(all.endsWith("x\ntail\n"));
  }

  @Test
  void closeAndFlushWriteEverything() throws Exception {
    Path log = dir.resolve("close.log");
    AccessLogManager manager = new AccessLogManager(Duration.ofMinutes(10), null);
    AccessLogFile file = manager.file(log.toString());
    file.write("a\n");
    file.flush();
    assertEquals("a\n", read(log));
    file.write("b\n");
    manager.close();
    assertEquals("a\nb\n", read(log));
    // Entries after close are dropped, and the manager refuses new files.
    file.write("c\n");
    assertEquals("a\nb\n", read(log));
    assertThrows(IllegalStateException.class, () -> manager.file(dir.resolve("other").toString()));
  }

  @Test
  void onePathIsOneWriterSharedByAllLoggers() throws Exception {
    Path log = dir.resolve("shared.log");
    try (AccessLogManager manager = new AccessLogManager(Duration.ofMillis(50), null)) {
      AccessLogFile a = manager.file(log.toString());
      AccessLogFile b = manager.file(log.toString());
      assertSame(a, b);
      // Many event loops writing at once: every line arrives whole.
      int threads = 4;
      int perThread = 5000;
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(Thread.ofPlatform().start(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < perThread; i++) {
            a.write("thread-" + id + " line-" + i + " " + "p".repeat(i % 50) + "\n");
          }
        }));
      }
      go.countDown();
      for (Thread w : workers) {
        w.join();
      }
      a.flush();
      List<String> lines = Files.readAllLines(log);
      assertEquals(threads * perThread, lines.size());
      Set<String> seen = new HashSet<>();
      for (String l : lines) {
        assertTrue(l.matches("thread-\\d line-\\d+ p*"), l);
        String[] parts = l.split(" ");
        int i = Integer.parseInt(parts[1].substring(5));
        assertEquals(i % 50, parts.length > 2 ? parts[2].length() : 0, l);
        seen.add(parts[0] + " " + parts[1]);
      }
      assertEquals(threads * perThread, seen.size());
    }
  }

  @Test
  void reopenStartsANewFileAfterRotation() throws Exception {
    Path log = dir.resolve("rotate.log");
    Path rotated = dir.resolve("rotate.log.1");
    try (AccessLogManager manager = new AccessLogManager(Duration.ofMillis(50), null)) {
      AccessLogFile file = manager.file(log.toString());
      file.write("before\n");
      file.flush();
      Files.move(log, rotated);
      file.write("still old\n");
      file.flush();
      // Until reopened, the writer keeps writing to the renamed file, as a process with an open
      // file descriptor does.
      assertEquals("before\nstill old\n", read(rotated));
      manager.reopen();
      file.write("after\n");
      waitFor(contains(log, "after\n"), Duration.ofSeconds(20));
      assertEquals("after\n", read(log));
      assertEquals("before\nstill old\n", read(rotated));
    }
  }

  @Test
  void aFailedReopenIsCountedAndRetriedOnTheNextReopen() throws Exception {
    TestScope scope = new TestScope();
    Path logs = dir.resolve("logs");
    Files.createDirectory(logs);
    Path log = logs.resolve("a.log");
    try (AccessLogManager manager = new AccessLogManager(Duration.ofMinutes(10), scope)) {
      AccessLogFile file = manager.file(log.toString());
      Files.move(logs, dir.resolve("logs.old"));
      manager.reopen();
      file.write("lost\n");
      file.flush();
      assertEquals(1, scope.counter("reopen_failed").value());
      assertEquals(1, scope.counter("write_failed").value());

      Files.createDirectory(logs);
      manager.reopen();
      file.write("found\n");
      file.flush();
      assertEquals("found\n", read(log));
      assertEquals(1, scope.counter("reopen_failed").value());
    }
  }

  @Test
  void aPathThatCannotBeOpenedIsAConfigErrorNamingIt() throws Exception {
    try (AccessLogManager manager = new AccessLogManager()) {
      String path = dir.resolve("no/such/dir/access.log").toString();
      AccessLogConfigException e = assertThrows(AccessLogConfigException.class,
          () -> manager.file(path));
      assertEquals("unable to open file '" + path + "': No such file or directory", e.getMessage());

      Path readOnlyDir = dir.resolve("ro");
      Files.createDirectory(readOnlyDir);
      String isDir = readOnlyDir.toString();
      AccessLogConfigException e2 = assertThrows(AccessLogConfigException.class,
          () -> manager.file(isDir));
      assertTrue(e2.getMessage().startsWith("unable to open file '" + isDir + "': "), e2.getMessage());
    }
  }

  @Test
  void stdoutAndStderrAreSharedStreams() throws Exception {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (AccessLogManager manager = new AccessLogManager(Duration.ofMillis(100), null)) {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      assertSame(manager.stdout(), manager.file("/dev/stdout"));
      assertSame(manager.stderr(), manager.file("/dev/stderr"));
      manager.stdout().write("to stdout\n");
      manager.file("/dev/stderr").write("to stderr\n");
      waitFor(() -> out.toString(StandardCharsets.UTF_8).equals("to stdout\n")
          && err.toString(StandardCharsets.UTF_8).equals("to stderr\n"), Duration.ofSeconds(20));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }

  @Test
  void filesystemStatsCountWritesAndTimerFlushes() throws Exception {
    TestScope scope = new TestScope();
    Path log = dir.resolve("stats.log");
    try (AccessLogManager manager = new AccessLogManager(Duration.ofMillis(300), scope)) {
      AccessLogFile file = manager.file(log.toString());
      file.write("12345\n");
      file.write("6789\n");
      assertEquals(2, scope.counter("write_buffered").value());
      assertEquals(11, scope.gauge("write_total_buffered").value());
      waitFor(contains(log, "12345\n6789\n"), Duration.ofSeconds(20));
      assertEquals(0, scope.gauge("write_total_buffered").value());
      waitFor(() -> scope.counter("write_completed").value() >= 1, Duration.ofSeconds(20));
      waitFor(() -> scope.counter("flushed_by_timer").value() >= 2, Duration.ofSeconds(20));
      assertEquals(0, scope.counter("write_failed").value());
      assertEquals("filesystem.", scope.prefix);
    }
  }

  /** A stats scope that keeps values in memory, for asserting on Envoy's stat names. */
  private static final class TestScope implements StatsScope {
    final Map<String, AtomicLong> values = new ConcurrentHashMap<>();
    String prefix = "";

    @Override
    public String prefix() {
      return prefix;
    }

    @Override
    public StatsScope scope(String name) {
      prefix = prefix + name + ".";
      return this;
    }

    @Override
    public Counter counter(String name) {
      AtomicLong v = values.computeIfAbsent(name, n -> new AtomicLong());
      return new Counter() {
        @Override
        public void add(long amount) {
          v.addAndGet(amount);
        }

        @Override
        public long value() {
          return v.get();
        }

        @Override
        public String name() {
          return prefix + name;
        }
      };
    }

    @Override
    public Gauge gauge(String name) {
      AtomicLong v = values.computeIfAbsent(name, n -> new AtomicLong());
      return new Gauge() {
        @Override
        public void set(long value) {
          v.set(value);
        }

        @Override
        public void add(long amount) {
          v.addAndGet(amount);
        }

        @Override
        public long value() {
          return v.get();
        }

        @Override
        public String name() {
          return prefix + name;
        }
      };
    }

    @Override
    public Histogram histogram(String name, Histogram.Unit unit) {
      throw new UnsupportedOperationException();
    }
  }
}
