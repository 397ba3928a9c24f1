package dev.xdsdp.api.stats;

/** A monotonically increasing count. */
public interface Counter {

  default void inc() {
    add(1);
  }

  void add(long amount);

  long value();

  /** The full dotted name. */
  String name();
}
