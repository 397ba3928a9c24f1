package dev.xdsdp.wasm.abi.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestStreamHost;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shared data with CAS and shared queues, across VMs, plugins and event loops. */
class SharedStateAbiTest {

  private static Map<String, String> run(PluginHarness h, String... headers) {
    h.log.clear();
    PluginHarness.TestStream s = h.stream(TestStreamHost.request("GET", "/", headers));
    s.requestHeaders(true);
    s.destroy();
    return h.log.reports();
  }

  @Test
  void sharedDataHasCasSemantics() {
    try (PluginHarness h = PluginHarness.create("abi_suite", b -> b.vmId("shared_cas"))) {
      Map<String, String> r = run(h, "x-case", "shared", "x-key", "k1", "x-val", "first");
      assertEquals("1", r.get("get_before")); // NOT_FOUND
      assertEquals("0", r.get("set"));
      assertEquals("first", r.get("value"));
      assertEquals("1", r.get("cas_nonzero"));
      assertEquals("8", r.get("set_bad_cas")); // CAS_MISMATCH
      assertEquals("0", r.get("set_good_cas"));
      assertEquals("8", r.get("set_stale_cas")); // every write takes a new CAS
    }
  }

  @Test
  void sharedDataIsSharedByVmIdAcrossPluginsAndLoops() {
    try (PluginHarness a = PluginHarness.create("abi_suite", b -> b.vmId("shared_vm"));
        PluginHarness b = PluginHarness.create("abi_suite", c -> c.vmId("shared_vm"));
        PluginHarness other = PluginHarness.create("abi_suite", c -> c.vmId("other_vm"))) {
      run(a, "x-case", "shared", "x-key", "k", "x-val", "from-a");
      Map<String, String> r = run(b, "x-case", "shared", "x-key", "k", "x-val", "from-b");
      assertEquals("0", r.get("get_before"));
      assertEquals("y", r.get("old")); // a's last successful write
      Map<String, String> o = run(other, "x-case", "shared", "x-key", "k", "x-val", "o");
      assertEquals("1", o.get("get_before")); // another vm_id sees nothing
    }
  }

  @Test
  void sharedDataIsDroppedWhenTheLastPluginOfTheVmIdCloses() {
    PluginHarness a = PluginHarness.create("abi_suite", b -> b.vmId("dropped_vm"));
    run(a, "x-case", "shared", "x-key", "k", "x-val", "v");
    assertEquals(1, PluginHarness.runtime().sharedData().size("dropped_vm"));
    a.close();
    assertEquals(0, PluginHarness.runtime().sharedData().size("dropped_vm"));
  }

  @Test
  void queueReadyReachesTheRegisteringRootOnItsOwnLoop() {
    try (PluginHarness consumer =
            PluginHarness.create("abi_suite", b -> b.vmId("queue_vm").pluginConfiguration("queue=jobs"));
        PluginHarness producer = PluginHarness.create("abi_suite", b -> b.vmId("producer_vm"))) {
      consumer.replica();
      assertEquals("0", consumer.log.get("register_queue"));
      String id = consumer.log.get("queue_id");
      Map<String, String> r = run(producer, "x-case", "queue", "x-queue", "jobs", "x-vm", "queue_vm", "x-item", "job-1");
      assertEquals("0", r.get("resolve"));
      assertEquals(id, r.get("resolved_id"));
      assertEquals("0", r.get("enqueue"));
      assertEquals("job-1", consumer.log.await("dequeued", Duration.ofSeconds(5)));
      assertEquals(id, consumer.log.get("queue_ready"));
      assertEquals("7", consumer.log.await("dequeue_end", Duration.ofSeconds(5))); // EMPTY
      // Producer's own vm_id has no such queue.
      Map<String, String> miss = run(producer, "x-case", "queue", "x-queue", "jobs", "x-item", "x");
      assertEquals("1", miss.get("resolve"));
    }
  }

  @Test
  void enqueueBeforeTheConsumerIsBoundIsDeliveredOnceItIs() {
    try (PluginHarness consumer =
            PluginHarness.create("abi_suite", b -> b.vmId("early_vm").pluginConfiguration("queue=early"));
        PluginHarness producer = PluginHarness.create("abi_suite", b -> b.vmId("early_producer"))) {
      // The consumer's VM is started (canary) but not yet bound to a loop.
      run(producer, "x-case", "queue", "x-queue", "early", "x-vm", "early_vm", "x-item", "waiting");
      assertEquals(List.of(), consumer.log.all("dequeued"));
      consumer.replica();
      assertEquals("waiting", consumer.log.await("dequeued", Duration.ofSeconds(5)));
    }
  }

  @Test
  void queueIdsAreProcessUnique() {
    try (PluginHarness a = PluginHarness.create("abi_suite", b -> b.vmId("qa").pluginConfiguration("queue=q"));
        PluginHarness b = PluginHarness.create("abi_suite", c -> c.vmId("qb").pluginConfiguration("queue=q"))) {
      assertNotEquals(a.log.get("queue_id"), b.log.get("queue_id"));
    }
  }
}
