package dev.xdsdp.xds.resource.route;

import dev.xdsdp.xds.resource.FieldPath;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One level's {@code *_headers_to_add} and {@code *_headers_to_remove} (route configuration, virtual
 * host, route or weighted cluster). Removals are applied before additions, as Envoy's HeaderParser.
 */
public record HeaderMutations(List<HeaderAppend> add, List<String> remove) {

  public static final HeaderMutations NONE = new HeaderMutations(List.of(), List.of());

  public HeaderMutations {
    add = List.copyOf(add);
    remove = List.copyOf(remove);
  }

  public boolean isEmpty() {
    return add.isEmpty() && remove.isEmpty();
  }

  /** How a value is combined with an existing header of the same name. */
  public enum AppendAction {
    APPEND_IF_EXISTS_OR_ADD,
    ADD_IF_ABSENT,
    OVERWRITE_IF_EXISTS_OR_ADD,
    OVERWRITE_IF_EXISTS,
  }

  /**
   * One header to add. {@code value} may hold Envoy substitution commands such as
   * {@code %DOWNSTREAM_REMOTE_ADDRESS%}; the data plane formats it per request.
   */
  public record HeaderAppend(String name, String value, AppendAction action, boolean keepEmptyValue) {}

  static HeaderMutations parse(
      List<HeaderValueOption> toAdd, List<String> toRemove, FieldPath path, String addField,
      String removeField, String resource, ParseContext ctx) throws ResourceInvalidException {
    List<HeaderAppend> add = new ArrayList<>(toAdd.size());
    for (int i = 0; i < toAdd.size(); i++) {
      HeaderValueOption o = toAdd.get(i);
      FieldPath p = path.field(addField).index(i);
      String name = o.getHeader().getKey().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        throw new ResourceInvalidException(resource, p.field("header").field("key").prefix() + "must not be empty");
      }
      if (name.startsWith(":") || name.equals("host")) {
        throw new ResourceInvalidException(resource, p.field("header").field("key").prefix()
            + "':' prefixed headers or the Host header may not be modified");
      }
      boolean raw = !o.getHeader().getRawValue().isEmpty();
      String value = raw ? o.getHeader().getRawValue().toStringUtf8() : o.getHeader().getValue();
      String problem = ctx.headerValueProblem(value);
      if (problem != null) {
        throw new ResourceInvalidException(resource, p.field("header").field(raw ? "raw_value" : "value").prefix() + problem);
      }
      AppendAction action;
      if (o.hasAppend()) {
        if (o.getAppendActionValue() != 0) {
          throw new ResourceInvalidException(resource, p.prefix()
              + "Both append and append_action are set and it's not allowed");
        }
        action = o.getAppend().getValue() ? AppendAction.APPEND_IF_EXISTS_OR_ADD : AppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
      } else {
        action = switch (o.getAppendAction()) {
          case ADD_IF_ABSENT -> AppendAction.ADD_IF_ABSENT;
          case OVERWRITE_IF_EXISTS_OR_ADD -> AppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
          case OVERWRITE_IF_EXISTS -> AppendAction.OVERWRITE_IF_EXISTS;
          default -> AppendAction.APPEND_IF_EXISTS_OR_ADD;
        };
      }
      add.add(new HeaderAppend(name, value, action, o.getKeepEmptyValue()));
    }
    List<String> remove = new ArrayList<>(toRemove.size());
    for (int i = 0; i < toRemove.size(); i++) {
      String name = toRemove.get(i).toLowerCase(Locale.ROOT);
      if (name.isEmpty() || name.startsWith(":") || name.equals("host")) {
        throw new ResourceInvalidException(resource, path.field(removeField).index(i).prefix()
            + "':' prefixed headers or the Host header may not be removed");
      }
      remove.add(name);
    }
    return add.isEmpty() && remove.isEmpty() ? NONE : new HeaderMutations(add, remove);
  }
}
