package dev.xdsdp.dataplane.accesslog;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One log destination shared by every logger writing to it, Envoy's {@code AccessLogFileImpl}.
 * {@link #write} only appends to an in-memory buffer under a short lock, so it is safe on event
 * loops; a background thread writes the buffer out when it passes {@link #MIN_FLUSH_SIZE} bytes
 * or when the flush interval elapses, and reopens the file when asked (log rotation).
 */
public final class AccessLogFile implements AutoCloseable {

  /** Envoy's {@code MIN_FLUSH_SIZE}: a buffer larger than this is flushed at once. */
  public static final int MIN_FLUSH_SIZE = 64 * 1024;

  private static final System.Logger LOG = System.getLogger("main");

  /** Where bytes go: a file, or the process's stdout/stderr. */
  interface Sink {
    void write(byte[] data, int len) throws IOException;

    /** Closes and opens the destination again (a rotated file is created anew). */
    void reopen() throws IOException;

    void close() throws IOException;
  }

  private final String path;
  private final Sink sink;
  private final long flushIntervalNanos;
  private final AccessLogManager.FileStats stats;

  /** Guards the buffer and flags; held only for memory copies, never for I/O. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Condition flushed = lock.newCondition();

  private byte[] buffer = new byte[8192];
  private int length;
  private byte[] spare = new byte[8192];
  private boolean reopenRequested;
  private boolean closed;
  /** Explicit {@link #flush()} calls made, and how many of them the flush thread served. */
  private long flushRequests;
  private long flushesServed;
  private Thread flusher;

  AccessLogFile(String path, Sink sink, long flushIntervalNanos, AccessLogManager.FileStats stats) {
    this.path = path;
    this.sink = sink;
    this.flushIntervalNanos = flushIntervalNanos;
    this.stats = stats;
  }

  /** Opens {@code path} for appending, creating it; the message names the path on failure. */
  static Sink openFile(String path) throws AccessLogConfigException {
    FileSink sink = new FileSink(Path.of(path));
    try {
      sink.open();
    } catch (IOException e) {
      throw new AccessLogConfigException(
          "unable to open file '" + path + "': " + describe(e), e);
    }
    return sink;
  }

  static Sink stream(Supplier<PrintStream> stream) {
    return new StreamSink(stream);
  }

  public String path() {
    return path;
  }

  /**
   * Buffers {@code entry}; never blocks on I/O. Entries written after {@link #close()} are
   * dropped.
   */
  public void write(String entry) {
    byte[] bytes = entry.getBytes(StandardCharsets.UTF_8);
    lock.lock();
    try {
      if (closed) {
        return;
      }
      ensureCapacity(length + bytes.length);
      System.arraycopy(bytes, 0, buffer, length, bytes.length);
      length += bytes.length;
      stats.writeBuffered.inc();
      stats.totalBuffered.add(bytes.length);
      if (length > MIN_FLUSH_SIZE) {
        wake.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Asks the flush thread to reopen the destination before its next write (admin /reopen_logs). */
  public void reopen() {
    lock.lock();
    try {
      reopenRequested = true;
      wake.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns once everything buffered before the call is written. Blocks: for shutdown, admin
   * and tests, never for event loops.
   */
  public void flush() {
    lock.lock();
    try {
      if (flusher == null || closed) {
        // Not started yet, or close() writes the rest itself.
        return;
      }
      long request = ++flushRequests;
      wake.signal();
      while (flushesServed < request && !closed) {
        flushed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Stops the flush thread, writes what is left and closes the destination. */
  @Override
  public void close() {
    Thread t;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      t = flusher;
      wake.signal();
      flushed.signalAll();
    } finally {
      lock.unlock();
    }
    if (t != null) {
      boolean interrupted = false;
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    // The flush thread is gone: this thread is the only writer now.
    byte[] data;
    int len;
    boolean reopenNow;
    lock.lock();
    try {
      data = buffer;
      len = length;
      reopenNow = reopenRequested;
      reopenRequested = false;
      swapBuffers();
    } finally {
      lock.unlock();
    }
    writeOut(data, len, reopenNow);
    try {
      sink.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "unable to close access log '" + path + "': " + describe(e));
    }
  }

  /**
   * Starts the flush thread. Called once, at config time, so that no event loop ever pays for
   * creating a thread.
   */
  void start() {
    lock.lock();
    try {
      if (flusher == null && !closed) {
        flusher = Thread.ofPlatform()
            .name("access-log-flush:" + path)
            .daemon(true)
            .start(this::flushLoop);
      }
    } finally {
      lock.unlock();
    }
  }

  // Runs with lock held.
  private void ensureCapacity(int needed) {
    if (needed > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
    }
  }

  // Runs with lock held: hands the filled buffer to the caller and starts an empty one.
  private void swapBuffers() {
    stats.totalBuffered.sub(length);
    buffer = spare != null ? spare : new byte[8192];
    spare = null;
    length = 0;
  }

  // Runs with lock held: keeps one normal-sized buffer around, lets bursts' big buffers go.
  private void recycle(byte[] used) {
    if (used.length <= 4 * MIN_FLUSH_SIZE && spare == null && used != buffer) {
      spare = used;
    }
  }

  private void flushLoop() {
    long nextTick = System.nanoTime() + flushIntervalNanos;
    while (true) {
      byte[] data;
      int len;
      boolean reopenNow;
      long serving;
      lock.lock();
      try {
        while (!closed && !reopenRequested && length <= MIN_FLUSH_SIZE
            && flushesServed == flushRequests) {
          long wait = nextTick - System.nanoTime();
          if (wait <= 0) {
            nextTick = System.nanoTime() + flushIntervalNanos;
            stats.flushedByTimer.inc();
            if (length > 0) {
              break;
            }
            continue;
          }
          try {
            wake.awaitNanos(wait);
          } catch (InterruptedException e) {
            // Only close() stops this thread; it sets closed and signals.
          }
        }
        if (closed) {
          return;
        }
        serving = flushRequests;
        data = buffer;
        len = length;
        reopenNow = reopenRequested;
        reopenRequested = false;
        swapBuffers();
      } finally {
        lock.unlock();
      }
      writeOut(data, len, reopenNow);
      lock.lock();
      try {
        flushesServed = serving;
        flushed.signalAll();
        recycle(data);
      } finally {
        lock.unlock();
      }
    }
  }

  // Runs on the flush thread, or in close() after it stopped.
  private void writeOut(byte[] data, int len, boolean reopenNow) {
    if (reopenNow) {
      try {
        sink.reopen();
      } catch (IOException e) {
        stats.reopenFailed.inc();
        LOG.log(System.Logger.Level.ERROR,
            "unable to reopen access log '" + path + "': " + describe(e));
      }
    }
    if (len == 0) {
      return;
    }
    try {
      sink.write(data, len);
      stats.writeCompleted.inc();
    } catch (IOException e) {
      // Probably a full disk; Envoy counts the failure and carries on.
      stats.writeFailed.inc();
      LOG.log(System.Logger.Level.DEBUG, "access log write to '" + path + "' failed: " + describe(e));
    }
  }

  /** An errno-like reason, as Envoy prints {@code strerror}. */
  static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "No such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** A file opened for appending, as Envoy opens it (write, create, append). */
  private static final class FileSink implements Sink {
    private final Path path;
    private FileChannel channel;

    FileSink(Path path) {
      this.path = path;
    }

    void open() throws IOException {
      channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }

    @Override
    public void write(byte[] data, int len) throws IOException {
      if (channel == null) {
        throw new IOException("file is not open");
      }
      ByteBuffer b = ByteBuffer.wrap(data, 0, len);
      while (b.hasRemaining()) {
        channel.write(b);
      }
    }

    @Override
    public void reopen() throws IOException {
      close();
      open();
    }

    @Override
    public void close() throws IOException {
      FileChannel c = channel;
      channel = null;
      if (c != null) {
        c.close();
      }
    }
  }

  /**
   * The process's stdout or stderr. The stream is looked up at each write, so a replaced
   * {@code System.out} is honoured.
   */
  private record StreamSink(Supplier<PrintStream> stream) implements Sink {
    @Override
    public void write(byte[] data, int len) throws IOException {
      PrintStream s = stream.get();
      s.write(data, 0, len);
      s.flush();
      if (s.checkError()) {
        throw new IOException("stream write failed");
      }
    }

    @Override
    public void reopen() {}

    @Override
    public void close() {
      stream.get().flush();
    }
  }
}
