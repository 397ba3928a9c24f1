package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Counter;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** A counter backed by a {@link LongAdder}, so many event loops can add without contention. */
public final class CounterImpl implements Counter, Metric {

  private final String name;
  private final String tagExtractedName;
  private final List<Tag> tags;
  private final LongAdder value = new LongAdder();
  // Written once; reading before writing keeps the hot path free of shared-line stores.
  private volatile boolean used;

  CounterImpl(String name, String tagExtractedName, List<Tag> tags) {
    this.name = name;
    this.tagExtractedName = tagExtractedName;
    this.tags = tags;
  }

  @Override
  public void add(long amount) {
    if (amount < 0) {
      throw new IllegalArgumentException("counter " + name + " cannot decrease by " + amount);
    }
    value.add(amount);
    if (!used) {
      used = true;
    }
  }

  @Override
  public long value() {
    return value.sum();
  }

  /**
   * Sets the value back to zero (the admin {@code /reset_counters}). Increments racing with the
   * reset may or may not survive it, as in Envoy; the counter stays used.
   */
  public void reset() {
    value.reset();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String tagExtractedName() {
    return tagExtractedName;
  }

  @Override
  public List<Tag> tags() {
    return tags;
  }

  @Override
  public boolean used() {
    return used;
  }

  @Override
  public String toString() {
    return name + ": " + value();
  }
}
