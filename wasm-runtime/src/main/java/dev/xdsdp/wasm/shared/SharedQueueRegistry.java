package dev.xdsdp.wasm.shared;

import dev.xdsdp.wasm.abi.WasmResult;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Process-wide named queues ({@code proxy_register/resolve/enqueue/dequeue_shared_queue},
 * cpp-host's {@code SharedQueue}). A queue is named by (vm_id, name) and has a process-unique id.
 * The last root context to register a name owns the queue: every enqueue posts
 * {@code proxy_on_queue_ready} to that owner's event loop.
 *
 * <p>Thread-safe.
 */
public final class SharedQueueRegistry {

  /** Who is told when a queue gets an item. Called with no lock held, from the enqueuing thread. */
  @FunctionalInterface
  public interface Owner {
    void onQueueReady(int queueId);
  }

  private record Name(String vmId, String name) {}

  private static final class Queue {
    final Name name;
    final ArrayDeque<byte[]> items = new ArrayDeque<>();
    Owner owner;

    Queue(Name name) {
      this.name = name;
    }
  }

  private final Map<Name, Integer> ids = new HashMap<>();
  private final java.util.Set<String> warned = new java.util.HashSet<>();
  private final Map<Integer, Queue> queues = new HashMap<>();
  private int nextId = 1;

  /** Creates or takes over the queue {@code (vmId, name)}; returns its id. */
  public synchronized int register(String vmId, String name, Owner owner) {
    Objects.requireNonNull(owner, "owner");
    Name key = new Name(vmId, name);
    Integer id = ids.get(key);
    if (id == null) {
      id = nextId++;
      ids.put(key, id);
      queues.put(id, new Queue(key));
    }
    queues.get(id).owner = owner;
    return id;
  }

  /** The id of {@code (vmId, name)}, or -1 when no one registered it. */
  public synchronized int resolve(String vmId, String name) {
    Integer id = ids.get(new Name(vmId, name));
    return id == null ? -1 : id;
  }

  public WasmResult enqueue(int queueId, byte[] data) {
    Owner owner;
    synchronized (this) {
      Queue q = queues.get(queueId);
      if (q == null) {
        return WasmResult.NOT_FOUND;
      }
      q.items.addLast(data.clone());
      owner = q.owner;
    }
    if (owner != null) {
      owner.onQueueReady(queueId);
    }
    return WasmResult.OK;
  }

  /** The oldest item, or null with {@code status[0]} set to NOT_FOUND or EMPTY. */
  public synchronized byte[] dequeue(int queueId, WasmResult[] status) {
    Queue q = queues.get(queueId);
    if (q == null) {
      status[0] = WasmResult.NOT_FOUND;
      return null;
    }
    byte[] item = q.items.pollFirst();
    status[0] = item == null ? WasmResult.EMPTY : WasmResult.OK;
    return item;
  }

  /** Forgets the owner if it is still {@code owner}, so no callback reaches a closed VM. */
  public synchronized void unregisterOwner(Owner owner) {
    for (Queue q : queues.values()) {
      if (q.owner == owner) {
        q.owner = null;
      }
    }
  }

  /** True the first time {@code key} is asked about: for warnings that should appear once. */
  public synchronized boolean firstTime(String key) {
    return warned.add(key);
  }

  public synchronized int size(int queueId) {
    Queue q = queues.get(queueId);
    return q == null ? -1 : q.items.size();
  }
}
