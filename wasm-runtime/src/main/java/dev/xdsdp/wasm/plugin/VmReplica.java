package dev.xdsdp.wasm.plugin;

import dev.xdsdp.wasm.EventLoop;
import dev.xdsdp.wasm.WasmRuntime;
import dev.xdsdp.wasm.context.PluginServices;
import dev.xdsdp.wasm.context.RootContext;
import dev.xdsdp.wasm.context.WasmInstance;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One VM on one event loop, shared by every plugin of its {@link VmGroup} that runs there (Envoy's
 * per-worker VM copy with one root context per plugin). The plugins' {@link PluginReplica}s attach
 * to it and get their root context in the VM.
 *
 * <p>The first VM is built off the loop (a plugin's canary VM is taken over when it has one), then
 * installed on the loop; a plugin attaching later gets its root added on the loop. When the VM
 * fails, every attached plugin loses its root (its streams get its failure policy) and a new VM
 * with all of their roots is built off the loop after a jittered backoff that doubles with
 * consecutive failures (up to 30 times the base). When the last plugin detaches, the VM closes.
 *
 * <p>Everything but construction runs on the loop.
 */
final class VmReplica {

  private static final System.Logger LOG = System.getLogger("wasm");

  private final VmGroup group;
  private final EventLoop loop;
  private final WasmRuntime runtime;
  private final List<PluginReplica> attached = new ArrayList<>();
  private WasmInstance current;
  private boolean building;
  private boolean everBuilt;
  private boolean closed;
  private int consecutiveFailures;
  private long installedAtNanos;
  private long nextBuildNanos;
  private EventLoop.Cancellable rebuildTimer;

  VmReplica(VmGroup group, EventLoop loop, WasmRuntime runtime) {
    this.group = group;
    this.loop = loop;
    this.runtime = runtime;
  }

  EventLoop loop() {
    return loop;
  }

  /** The VM serving new streams, or null while it is being (re)built. */
  WasmInstance instance() {
    return current;
  }

  /** Adds {@code pr}'s root to the VM, building the VM first if there is none. */
  void attach(PluginReplica pr) {
    if (closed) {
      // The last plugin left while this one was on its way here: a new VM replica takes it.
      VmReplica fresh = group.replica(loop, runtime);
      pr.moveTo(fresh);
      fresh.attach(pr);
      return;
    }
    attached.add(pr);
    if (current != null && current.usable()) {
      addRoot(pr, false);
    } else if (!building) {
      if (!everBuilt) {
        startBuild(false);
      } else {
        maybeRebuild();
      }
    }
  }

  /** Like {@link #attach}, but a missing VM is built right here, on the loop (blocking it). */
  void attachNow(PluginReplica pr) {
    if (current != null || building || everBuilt || closed) {
      attach(pr);
      return;
    }
    attached.add(pr);
    building = true;
    everBuilt = true;
    Built b;
    try {
      b = build(List.of(pr));
    } catch (RuntimeException e) {
      buildFailed(e, false);
      throw e;
    }
    install(b, false);
  }

  private void addRoot(PluginReplica pr, boolean rebuild) {
    WasmInstance inst = current;
    try {
      RootContext r = inst.addRoot(pr.services());
      pr.rootReady(r, rebuild);
    } catch (RuntimeException e) {
      if (inst.usable()) {
        pr.rootFailed(e, true);
      }
      // else: the VM failed while starting this root; every plugin heard it from onInstanceFailed.
    }
  }

  /** What a build made: the VM and, per plugin, its root or why it has none. */
  private record Built(WasmInstance instance, Map<PluginReplica, Object> roots) {}

  /** Builds a VM with the roots of {@code wanted}; runs on any thread. */
  private Built build(List<PluginReplica> wanted) {
    Map<PluginReplica, Object> roots = new IdentityHashMap<>();
    WasmInstance inst = null;
    PluginReplica spareOwner = null;
    for (PluginReplica pr : wanted) {
      WasmInstance spare = pr.plugin().takeSpare();
      if (spare != null) {
        inst = spare;
        spareOwner = pr;
        roots.put(pr, spare.root());
        break;
      }
    }
    if (inst == null) {
      PluginServices owner = wanted.getFirst().services();
      inst = WasmInstance.create(owner, this::onInstanceFailed);
    } else {
      inst.setFailureListener(this::onInstanceFailed);
    }
    for (PluginReplica pr : wanted) {
      if (pr == spareOwner) {
        continue;
      }
      try {
        roots.put(pr, inst.addRoot(pr.services()));
      } catch (RuntimeException e) {
        if (!inst.usable()) {
          inst.close();
          throw e;
        }
        roots.put(pr, e);
      }
    }
    return new Built(inst, roots);
  }

  private void startBuild(boolean rebuild) {
    List<PluginReplica> wanted = new ArrayList<>();
    for (PluginReplica pr : attached) {
      if (!pr.closing()) {
        wanted.add(pr);
      }
    }
    if (wanted.isEmpty()) {
      return;
    }
    building = true;
    everBuilt = true;
    runtime.buildExecutor().execute(() -> {
      Built b;
      try {
        b = build(wanted);
      } catch (RuntimeException e) {
        loop.execute(() -> buildFailed(e, rebuild));
        return;
      }
      loop.execute(() -> install(b, rebuild));
    });
  }

  private void buildFailed(RuntimeException e, boolean rebuild) {
    building = false;
    LOG.log(System.Logger.Level.ERROR, (rebuild ? "rebuilding" : "starting") + " the wasm VM of "
        + names() + " on " + loop.id() + " failed: " + e.getMessage());
    for (PluginReplica pr : List.copyOf(attached)) {
      pr.rootFailed(e, false);
    }
    if (allClosing()) {
      maybeClose();
      return;
    }
    consecutiveFailures++;
    scheduleRebuild();
  }

  /** Binds a built VM to this loop and hands out the roots; runs on the loop. */
  private void install(Built b, boolean rebuild) {
    building = false;
    WasmInstance inst = b.instance();
    if (closed || attached.isEmpty()) {
      inst.close();
      maybeClose();
      return;
    }
    inst.setFailureListener(this::onInstanceFailed);
    inst.activate(loop);
    current = inst;
    installedAtNanos = System.nanoTime();
    for (PluginReplica pr : List.copyOf(attached)) {
      Object r = b.roots().get(pr);
      if (r instanceof RootContext root) {
        pr.rootReady(root, rebuild);
      } else if (r instanceof RuntimeException e) {
        pr.rootFailed(e, true);
      } else if (inst.usable()) {
        addRoot(pr, rebuild); // attached while the VM was being built
      }
    }
    // Roots of plugins that left while the VM was being built end at once.
    for (RootContext root : inst.roots()) {
      boolean wanted = false;
      for (PluginReplica pr : attached) {
        wanted |= pr.root() == root;
      }
      if (!wanted) {
        inst.shutdownRoot(root, () -> {});
      }
    }
    maybeClose();
  }

  /** Called by the instance (on the loop, or the build thread while starting) when it fails. */
  private void onInstanceFailed(WasmInstance instance) {
    if (instance != current) {
      return; // a VM that failed while starting; the build reports it
    }
    current = null;
    for (PluginReplica pr : List.copyOf(attached)) {
      pr.vmLost();
    }
    if (allClosing()) {
      maybeClose();
      return;
    }
    long base = backoffBase().toNanos();
    if (System.nanoTime() - installedAtNanos > 10 * base) {
      consecutiveFailures = 0; // it ran well for a while: start the backoff over
    }
    consecutiveFailures++;
    scheduleRebuild();
  }

  /** A plugin without a root (its on_configure failed here) tries again after the backoff. */
  void retryRootLater(PluginReplica pr) {
    long delay = backoffNanos(Math.max(1, consecutiveFailures + 1));
    loop.schedule((delay + 999_999) / 1_000_000, () -> {
      if (closed || pr.closing() || pr.root() != null || !attached.contains(pr)) {
        return;
      }
      if (current != null && current.usable()) {
        addRoot(pr, true);
      } else {
        maybeRebuild();
      }
    });
  }

  private java.time.Duration backoffBase() {
    return attached.isEmpty() ? java.time.Duration.ofSeconds(1) : attached.getFirst().plugin().config().reloadBackoff();
  }

  private long backoffNanos(int failures) {
    long base = Math.max(1, backoffBase().toNanos());
    long d = base << Math.min(failures - 1, 5);
    d = Math.min(d, 30 * base);
    return d + ThreadLocalRandom.current().nextLong(Math.max(1, d / 2));
  }

  private void scheduleRebuild() {
    nextBuildNanos = System.nanoTime() + backoffNanos(consecutiveFailures);
    armRebuildTimer();
  }

  private void armRebuildTimer() {
    if (rebuildTimer != null) {
      rebuildTimer.cancel();
    }
    long wait = Math.max(0, nextBuildNanos - System.nanoTime());
    rebuildTimer = loop.schedule((wait + 999_999) / 1_000_000, this::maybeRebuild);
  }

  /** Builds a new VM if there is none and the backoff is over; any stream may ask. */
  void maybeRebuild() {
    rebuildTimer = null;
    if (closed || building || (current != null && current.usable()) || allClosing()) {
      return;
    }
    if (System.nanoTime() < nextBuildNanos) {
      armRebuildTimer(); // woken early (a stream, or timer granularity): wait out the backoff
      return;
    }
    startBuild(true);
  }

  private boolean allClosing() {
    for (PluginReplica pr : attached) {
      if (!pr.closing()) {
        return false;
      }
    }
    return true;
  }

  /** {@code pr} left (its root ended, or it never got one); the last to leave closes the VM. */
  void detach(PluginReplica pr) {
    attached.remove(pr);
    maybeClose();
  }

  private void maybeClose() {
    if (closed || !attached.isEmpty() || building) {
      return;
    }
    closed = true;
    if (rebuildTimer != null) {
      rebuildTimer.cancel();
      rebuildTimer = null;
    }
    if (current != null) {
      current.close();
      current = null;
    }
    group.removed(this);
  }

  private String names() {
    StringBuilder b = new StringBuilder("plugin");
    b.append(attached.size() == 1 ? " " : "s ");
    for (int i = 0; i < attached.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(attached.get(i).plugin().config().name());
    }
    return b.toString();
  }
}
