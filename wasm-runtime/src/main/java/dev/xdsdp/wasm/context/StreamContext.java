package dev.xdsdp.wasm.context;

/** The context of one proxied HTTP stream or TCP connection, child of the plugin's root context. */
public final class StreamContext extends ContextBase {

  private final RootContext root;
  private final StreamHost host;
  boolean localReplySent;
  boolean accessLogPhase;

  StreamContext(int id, WasmInstance instance, RootContext root, StreamHost host) {
    super(id, instance);
    this.root = root;
    this.host = host;
  }

  @Override
  public RootContext root() {
    return root;
  }

  public StreamHost host() {
    return host;
  }

  /** The host as an HTTP stream, or null for a TCP connection. */
  public HttpStreamHost httpHost() {
    return host instanceof HttpStreamHost h ? h : null;
  }

  /** The host as a TCP connection, or null for an HTTP stream. */
  public NetworkStreamHost networkHost() {
    return host instanceof NetworkStreamHost n ? n : null;
  }

  @Override
  public PropertyHost propertyHost() {
    return host;
  }

  /** True once the module asked for a local response on this stream. */
  public boolean localReplySent() {
    return localReplySent;
  }

  /**
   * Marks the local response: the callback during which it was sent returns a stop status, and
   * the module cannot send a second one.
   */
  public void markLocalReplySent() {
    localReplySent = true;
  }

  /** Enters the access-log phase for good: maps become read-only. */
  public void enterAccessLogPhase() {
    accessLogPhase = true;
  }

  @Override
  public boolean accessLogPhase() {
    return accessLogPhase;
  }

  @Override
  public HeaderHost headerHost() {
    return host;
  }
}
