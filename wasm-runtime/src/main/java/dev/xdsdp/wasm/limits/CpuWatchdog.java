package dev.xdsdp.wasm.limits;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds how long one guest call may run. GraalWasm ignores statement limits, so one daemon
 * thread scans the registered VMs every few milliseconds and, for a call running past its budget,
 * asks another thread to interrupt it (an interrupt waits for the guest to reach a safepoint, and
 * must not hold up the scan). A runaway call stops within the scan period plus the interrupt
 * latency, well under 100 ms.
 *
 * <p>The per-call cost for a VM is two volatile writes ({@link Watched#callStartNanos()} set and
 * cleared); the watchdog only reads.
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

    /** Interrupts call {@code seq} if it is still running. Called on an interrupter thread. */
    void interrupt(long seq);
  }

  private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
  private final Set<Watched> interrupting = ConcurrentHashMap.newKeySet();
  private final ExecutorService interrupters;
  private final Thread thread;
  private final long periodMillis;
  private volatile boolean closed;

  public CpuWatchdog(long periodMillis) {
    this.periodMillis = periodMillis;
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
        if (start == 0 || now - start <= w.callBudgetNanos() || interrupting.contains(w)) {
          continue;
        }
        long seq = w.callSeq();
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
