package dev.xdsdp.xds.resource;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects what a config asks for that this data plane does not do: fields that are set but not
 * implemented, and optional extensions that were skipped. {@code --mode validate} prints them and
 * fails; serve mode logs each one as a warning, so nothing is ignored silently.
 *
 * <p>Hard errors (a config that cannot work at all) are {@link ResourceInvalidException}s instead.
 * Used by one parse at a time; not thread-safe.
 */
public final class ConfigIssues {

  /** One thing not supported, with where it is. */
  public record Issue(String resource, String path, String message) {
    @Override
    public String toString() {
      return resource + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }
  }

  private final List<Issue> issues = new ArrayList<>();
  private String resource = "";

  /** Sets the resource that following reports belong to (e.g. {@code listener "ingress"}). */
  public void beginResource(String resourceDescription) {
    this.resource = resourceDescription;
  }

  public String currentResource() {
    return resource;
  }

  public void unsupported(FieldPath path, String message) {
    issues.add(new Issue(resource, path.text(), message));
  }

  /**
   * Reports every field of {@code message} that is set and not in {@code supported} (proto field
   * names, e.g. {@code stat_prefix}) as not supported.
   */
  public void checkFields(Message message, FieldPath path, Set<String> supported) {
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      String name = e.getKey().getName();
      if (!supported.contains(name)) {
        unsupported(path.field(name), "field is not supported by this data plane and would be ignored");
      }
    }
  }

  public List<Issue> issues() {
    return Collections.unmodifiableList(issues);
  }

  public boolean isEmpty() {
    return issues.isEmpty();
  }
}
