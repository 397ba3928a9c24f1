package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Gauge;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A gauge backed by an {@link AtomicLong}. */
public final class GaugeImpl implements Gauge, Metric {

  private final String name;
  private final String tagExtractedName;
  private final List<Tag> tags;
  private final AtomicLong value = new AtomicLong();
  private volatile boolean used;

  GaugeImpl(String name, String tagExtractedName, List<Tag> tags) {
    this.name = name;
    this.tagExtractedName = tagExtractedName;
    this.tags = tags;
  }

  @Override
  public void set(long newValue) {
    value.set(newValue);
    markUsed();
  }

  @Override
  public void add(long amount) {
    value.addAndGet(amount);
    markUsed();
  }

  private void markUsed() {
    if (!used) {
      used = true;
    }
  }

  @Override
  public long value() {
    return value.get();
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
