package dev.xdsdp.wasm.testing;

import dev.xdsdp.wasm.abi.LogLevel;
import dev.xdsdp.wasm.context.WasmLogSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link WasmLogSink} that keeps every line. The test modules report results as
 * {@code key=value} lines; {@link #reports()} reads them back.
 */
public final class RecordingLog implements WasmLogSink {

  /** One logged line. */
  public record Line(LogLevel level, String message) {}

  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private volatile LogLevel level = LogLevel.INFO;

  @Override
  public void log(LogLevel level, String message) {
    lines.add(new Line(level, message));
  }

  @Override
  public LogLevel level() {
    return level;
  }

  public void setLevel(LogLevel level) {
    this.level = level;
  }

  public List<Line> lines() {
    return List.copyOf(lines);
  }

  public List<String> messages() {
    List<String> out = new ArrayList<>();
    for (Line l : lines) {
      out.add(l.message());
    }
    return out;
  }

  public void clear() {
    lines.clear();
  }

  /** {@code key=value} reports, the last value of each key winning. */
  public Map<String, String> reports() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Line l : lines) {
      int eq = l.message().indexOf('=');
      if (eq > 0) {
        out.put(l.message().substring(0, eq), l.message().substring(eq + 1));
      }
    }
    return out;
  }

  /** Every value reported for {@code key}, in order. */
  public List<String> all(String key) {
    List<String> out = new ArrayList<>();
    for (Line l : lines) {
      if (l.message().startsWith(key + "=")) {
        out.add(l.message().substring(key.length() + 1));
      }
    }
    return out;
  }

  /** The last value reported for {@code key}, or null. */
  public String get(String key) {
    return reports().get(key);
  }

  /** Waits up to {@code timeout} until {@code key} has been reported; returns its value. */
  public String await(String key, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String v = get(key);
      if (v != null) {
        return v;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return get(key);
  }

  /** Waits until {@code key} has been reported at least {@code n} times. */
  public List<String> awaitCount(String key, int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && all(key).size() < n) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return all(key);
  }
}
