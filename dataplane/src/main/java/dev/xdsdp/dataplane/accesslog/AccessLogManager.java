package dev.xdsdp.dataplane.accesslog;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process's access log destinations, Envoy's {@code AccessLogManager}: one
 * {@link AccessLogFile} (buffer + flush thread) per path, shared by every logger that names the
 * path, whichever listener or config generation it belongs to. {@code /dev/stdout} and
 * {@code /dev/stderr} are the process's own streams, shared with the stdout/stderr loggers.
 *
 * <p>Thread-safe. Files are opened when first asked for, at config time (off the event loops).
 */
public final class AccessLogManager implements AutoCloseable {

  /**
   * The flush interval when none is given. Envoy's {@code --file-flush-interval-msec} defaults to
   * 10000; this data plane flushes every second.
   */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(1000);

  public static final String STDOUT = "/dev/stdout";
  public static final String STDERR = "/dev/stderr";

  private final long flushIntervalNanos;
  private final FileStats stats;
  private final Map<String, AccessLogFile> files = new HashMap<>();
  private boolean closed;

  public AccessLogManager() {
    this(DEFAULT_FLUSH_INTERVAL, null);
  }

  /**
   * @param flushInterval how often buffered entries are written ({@code --file-flush-interval-msec})
   * @param scope where Envoy's {@code filesystem.*} stats go, or null for none
   */
  public AccessLogManager(Duration flushInterval, StatsScope scope) {
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("flush interval must be positive: " + flushInterval);
    }
    this.flushIntervalNanos = flushInterval.toNanos();
    this.stats = new FileStats(scope == null ? null : scope.scope("filesystem"));
  }

  /**
   * The destination for {@code path}, opened (for appending, created if absent) on first use.
   *
   * @throws AccessLogConfigException {@code unable to open file '<path>': <reason>}
   */
  public synchronized AccessLogFile file(String path) throws AccessLogConfigException {
    if (closed) {
      throw new IllegalStateException("access log manager is closed");
    }
    AccessLogFile f = files.get(path);
    if (f != null) {
      return f;
    }
    AccessLogFile.Sink sink = switch (path) {
      case STDOUT -> AccessLogFile.stream(() -> System.out);
      case STDERR -> AccessLogFile.stream(() -> System.err);
      default -> AccessLogFile.openFile(path);
    };
    f = new AccessLogFile(path, sink, flushIntervalNanos, stats);
    f.start();
    files.put(path, f);
    return f;
  }

  /** The process's stdout ({@code StdoutAccessLog}). */
  public AccessLogFile stdout() {
    try {
      return file(STDOUT);
    } catch (AccessLogConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The process's stderr ({@code StderrAccessLog}). */
  public AccessLogFile stderr() {
    try {
      return file(STDERR);
    } catch (AccessLogConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reopens every file before its next write (admin {@code /reopen_logs}, after rotation). */
  public synchronized void reopen() {
    for (AccessLogFile f : files.values()) {
      f.reopen();
    }
  }

  /** Writes out every buffer now. Blocks: not for event loops. */
  public void flush() {
    for (AccessLogFile f : snapshot()) {
      f.flush();
    }
  }

  /** Flushes and closes every destination; later writes are dropped. */
  @Override
  public void close() {
    List<AccessLogFile> all;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      all = new ArrayList<>(files.values());
    }
    for (AccessLogFile f : all) {
      f.close();
    }
  }

  private synchronized List<AccessLogFile> snapshot() {
    return new ArrayList<>(files.values());
  }

  /** Envoy's {@code filesystem.*} stats, shared by all files. */
  static final class FileStats {
    final Counter writeBuffered;
    final Counter writeCompleted;
    final Counter writeFailed;
    final Counter flushedByTimer;
    final Counter reopenFailed;
    final Gauge totalBuffered;

    FileStats(StatsScope scope) {
      writeBuffered = counter(scope, "write_buffered");
      writeCompleted = counter(scope, "write_completed");
      writeFailed = counter(scope, "write_failed");
      flushedByTimer = counter(scope, "flushed_by_timer");
      reopenFailed = counter(scope, "reopen_failed");
      totalBuffered = scope == null ? new LocalGauge("write_total_buffered")
          : scope.gauge("write_total_buffered");
    }

    private static Counter counter(StatsScope scope, String name) {
      return scope == null ? new LocalCounter(name) : scope.counter(name);
    }
  }

  /** A counter kept when no stats scope is given. */
  private static final class LocalCounter implements Counter {
    private final String name;
    private final AtomicLong value = new AtomicLong();

    LocalCounter(String name) {
      this.name = name;
    }

    @Override
    public void add(long amount) {
      value.addAndGet(amount);
    }

    @Override
    public long value() {
      return value.get();
    }

    @Override
    public String name() {
      return "filesystem." + name;
    }
  }

  private static final class LocalGauge implements Gauge {
    private final String name;
    private final AtomicLong value = new AtomicLong();

    LocalGauge(String name) {
      this.name = name;
    }

    @Override
    public void set(long v) {
      value.set(v);
    }

    @Override
    public void add(long amount) {
      value.addAndGet(amount);
    }

    @Override
    public long value() {
      return value.get();
    }

    @Override
    public String name() {
      return "filesystem." + name;
    }
  }
}
