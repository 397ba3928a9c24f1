package dev.xdsdp.xds.client;

/**
 * Follows one named resource (or, as a {@link WildcardWatcher}, every resource of a type). The
 * three outcomes stay apart: a new value, the resource being gone, and a problem that leaves the
 * last good value in place. Called on the xDS context.
 *
 * @param <T> the parsed resource
 */
public interface ResourceWatcher<T> {

  /**
   * The resource arrived, changed, or was sent again unchanged (then {@code value} is the same
   * object as before; an EDS cluster that warms needs to see a fresh response even so).
   */
  void onChanged(String name, T value);

  /**
   * The resource is gone: removed by the server (a state-of-the-world LDS/CDS response without it,
   * or delta {@code removed_resources}), or it did not arrive within its
   * {@code initial_fetch_timeout}.
   */
  void onDoesNotExist(String name);

  /**
   * A problem that does not change the resource: its update was rejected (NACK), or the stream
   * failed. The last good value, if any, stays.
   *
   * @param name the resource, or null for a problem of the whole type (stream failure)
   */
  void onAmbientError(String name, String error);
}
