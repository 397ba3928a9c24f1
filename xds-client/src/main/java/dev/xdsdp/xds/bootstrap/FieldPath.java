package dev.xdsdp.xds.bootstrap;

/**
 * Where a value sits in a document, rendered as the user wrote it:
 * {@code static_resources.listeners[0].typed_per_filter_config["envoy.filters.http.wasm"]}.
 * Built as an immutable chain so that walking a large config allocates only one node per step.
 */
final class FieldPath {

  static final FieldPath ROOT = new FieldPath(null, null, -1, null);

  private final FieldPath parent;
  private final String field;
  private final int index;
  private final String mapKey;

  private FieldPath(FieldPath parent, String field, int index, String mapKey) {
    this.parent = parent;
    this.field = field;
    this.index = index;
    this.mapKey = mapKey;
  }

  FieldPath field(String name) {
    return new FieldPath(this, name, -1, null);
  }

  FieldPath index(int i) {
    return new FieldPath(this, null, i, null);
  }

  FieldPath mapKey(String key) {
    return new FieldPath(this, null, -1, key);
  }

  boolean isRoot() {
    return parent == null;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    render(sb);
    return sb.toString();
  }

  private void render(StringBuilder sb) {
    if (parent == null) {
      return;
    }
    parent.render(sb);
    if (field != null) {
      if (!sb.isEmpty()) {
        sb.append('.');
      }
      sb.append(field);
    } else if (mapKey != null) {
      sb.append("[\"").append(mapKey.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
    } else {
      sb.append('[').append(index).append(']');
    }
  }
}
