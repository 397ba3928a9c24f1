package dev.xdsdp.xds.client;

/**
 * Follows every resource of a wildcard type (listeners, clusters). Besides the per-resource
 * outcomes it learns when a response has been applied completely, so an empty first response
 * still ends the initial fetch.
 *
 * @param <T> the parsed resource
 */
public interface WildcardWatcher<T> extends ResourceWatcher<T> {

  /**
   * A response of this type has been applied (all its {@code onChanged}/{@code onDoesNotExist}
   * calls were made), or the type's {@code initial_fetch_timeout} passed without one.
   *
   * @param timedOut true for the timeout
   */
  void onUpdateComplete(boolean timedOut);
}
