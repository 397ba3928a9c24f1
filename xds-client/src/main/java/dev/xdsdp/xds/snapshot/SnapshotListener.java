package dev.xdsdp.xds.snapshot;

/**
 * Receives each new {@link ConfigSnapshot}. Called on the xDS context (one thread, in order); it
 * must hand work to the event loops rather than block them, and may block the xDS context briefly
 * (e.g. to bind a new listener) since that only delays the next update.
 */
@FunctionalInterface
public interface SnapshotListener {

  void onSnapshot(ConfigSnapshot snapshot);
}
