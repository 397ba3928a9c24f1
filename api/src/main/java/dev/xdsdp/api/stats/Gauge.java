package dev.xdsdp.api.stats;

/** A value that goes up and down. */
public interface Gauge {

  void set(long value);

  void add(long amount);

  default void sub(long amount) {
    add(-amount);
  }

  default void inc() {
    add(1);
  }

  default void dec() {
    add(-1);
  }

  long value();

  String name();
}
