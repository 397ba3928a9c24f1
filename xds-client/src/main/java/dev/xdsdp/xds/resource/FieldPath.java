package dev.xdsdp.xds.resource;

/**
 * A position inside a resource, printed the way a user reads their YAML:
 * {@code filter_chains[0].filters[1].typed_config}. Immutable; appending makes a new path.
 */
public record FieldPath(String text) {

  public static final FieldPath ROOT = new FieldPath("");

  public FieldPath field(String name) {
    return new FieldPath(text.isEmpty() ? name : text + "." + name);
  }

  public FieldPath index(int i) {
    return new FieldPath(text + "[" + i + "]");
  }

  public FieldPath key(String key) {
    return new FieldPath(text + "[\"" + key + "\"]");
  }

  /** The path followed by ": ", or nothing at the root. */
  public String prefix() {
    return text.isEmpty() ? "" : text + ": ";
  }

  @Override
  public String toString() {
    return text;
  }
}
