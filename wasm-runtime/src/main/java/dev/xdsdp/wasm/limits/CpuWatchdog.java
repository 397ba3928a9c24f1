package dev.xdsdp.wasm.limits;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the CPU time one guest call may use. GraalWasm ignores statement limits, so one daemon
 * thread scans the registered VMs every few milliseconds and, for a call past its budget, asks
 * another thread to interrupt it (an interrupt waits for the guest to reach a safepoint, and must
 * not hold up the scan). A runaway call stops within the scan period plus the interrupt latency,
 * well under 100 ms.
 *
 * <p>The budget counts the calling thread's CPU time from the moment the watchdog first sees the
 * call, plus the wall time before that (at most one scan period), so a loaded machine that
 * deschedules the event loop does not fail a healthy VM. Where the JVM cannot measure thread CPU
 * time, wall time is used.
 *
 * <p>The per-call cost for a VM is a few volatile writes ({@link Watched#callStartNanos()} set
 * and cleared); the watchdog only reads.
 */
public final class CpuWatchdog implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("wasm");

  /** A VM the watchdog looks at. */
  public interface Watched {
    /** {@link System#nanoTime()} at the start of the running outermost call, or 0 when idle. */
    long callStartNanos();

    /** The running call's budget in nanoseconds. */
    long callBudgetNanos();

    /** A number that changes with every call, so a late interrupt never hits the next call. */
    long callSeq();

    /** The id of the thread running the current call. */
    long callThreadId();

    /** Interrupts call {@code seq} if it is still running. Called on an interrupter thread. */
    void interrupt(long seq);
  }

  /** What the watchdog remembers about the call it is watching on one VM. */
  private static final class Observed {
    long seq = -1;
    long wallBeforeSeen;
    long cpuAtSeen;
  }

  private final java.util.Map<Watched, Observed> observed = new ConcurrentHashMap<>();
  private final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
  private final boolean cpuTime;

  private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
  private final Set<Watched> interrupting = ConcurrentHashMap.newKeySet();
  private final ExecutorService interrupters;
  private final Thread thread;
  private final long periodMillis;
  private final long periodNanos;
  private volatile boolean closed;

  public CpuWatchdog(long periodMillis) {
    this.periodMillis = periodMillis;
    this.periodNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(periodMillis);
    boolean cpu;
    try {
      cpu = threads.isThreadCpuTimeSupported();
      if (cpu && !threads.isThreadCpuTimeEnabled()) {
        threads.setThreadCpuTimeEnabled(true);
      }
    } catch (UnsupportedOperationException | SecurityException e) {
      cpu = false;
    }
    this.cpuTime = cpu;
    AtomicInteger n = new AtomicInteger();
    this.interrupters =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "wasm-interrupt-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.thread = new Thread(this::run, "wasm-watchdog");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  public void register(Watched w) {
    watched.add(w);
  }

  public void unregister(Watched w) {
    watched.remove(w);
    observed.remove(w);
  }

  /** Budget used by the running call of {@code w} (nanoseconds), as described in the class doc. */
  private long used(Watched w, long start, long now) {
    long wall = now - start;
    if (!cpuTime) {
      return wall;
    }
    Observed o = observed.computeIfAbsent(w, k -> new Observed());
    long seq = w.callSeq();
    long cpu = threads.getThreadCpuTime(w.callThreadId());
    if (cpu < 0) {
      return wall;
    }
    if (o.seq != seq) {
      o.seq = seq;
      // At most one scan period of wall time: a watchdog that was itself descheduled for longer
      // must not charge a call for time it did not see (it ended calls 10% early under load).
      o.wallBeforeSeen = Math.min(wall, periodNanos);
      o.cpuAtSeen = cpu;
      return o.wallBeforeSeen;
    }
    return o.wallBeforeSeen + (cpu - o.cpuAtSeen);
  }

  private void run() {
    while (!closed) {
      try {
        Thread.sleep(periodMillis);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (Watched w : watched) {
        long start = w.callStartNanos();
        if (start == 0 || interrupting.contains(w)) {
          continue;
        }
        long seq = w.callSeq();
        if (used(w, start, now) <= w.callBudgetNanos()) {
          continue;
        }
        if (w.callStartNanos() != start) {
          continue; // finished meanwhile
        }
        interrupting.add(w);
        interrupters.execute(
            () -> {
              try {
                w.interrupt(seq);
              } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "interrupting a wasm call failed", e);
              } finally {
                interrupting.remove(w);
              }
            });
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    interrupters.shutdownNow();
  }
}
