package dev.xdsdp.wasm.context;

/**
 * A proxy-wasm context inside one VM instance: the root (plugin) context or a stream context.
 * Ids are per instance, start at 1 and are never reused while the instance lives. Used only on the
 * instance's event loop.
 */
public abstract sealed class ContextBase permits RootContext, StreamContext {

  private final int id;
  private final WasmInstance instance;

  ContextBase(int id, WasmInstance instance) {
    this.id = id;
    this.instance = instance;
  }

  public final int id() {
    return id;
  }

  public final WasmInstance instance() {
    return instance;
  }

  /** The root context this context belongs to (itself for a root). */
  public abstract RootContext root();

  /** Where property lookups go first. */
  public abstract PropertyHost propertyHost();

  /**
   * The stream header maps this context sees: a stream's own, or those of the entry an access
   * logger's root context is logging; null when there are none.
   */
  public HeaderHost headerHost() {
    return null;
  }

  /** True during {@code proxy_on_log}: maps are read-only and absent ones are NOT_FOUND. */
  public boolean accessLogPhase() {
    return false;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "#" + id;
  }
}
