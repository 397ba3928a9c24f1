package dev.xdsdp.dataplane.filters.headermutation;

import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.filter.RouteSpecificConfig;
import dev.xdsdp.xds.resource.route.HeaderMutations.AppendAction;
import io.envoyproxy.envoy.config.common.mutation_rules.v3.HeaderMutation;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.Mutations;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parsed {@code envoy.extensions.filters.http.header_mutation.v3.HeaderMutation} (and its per-route
 * form): ordered request and response edits, each a removal or an append with Envoy's append
 * actions. Values may carry substitution commands ({@code %REQ(x)%}).
 */
public record HeaderMutationConfig(List<Edit> request, List<Edit> response, boolean mostSpecificWins)
    implements RouteSpecificConfig {

  public HeaderMutationConfig {
    request = List.copyOf(request);
    response = List.copyOf(response);
  }

  /** One edit: remove {@code name}, or add {@code value} to it as {@code action} says. */
  public record Edit(String name, String value, AppendAction action, boolean remove, boolean keepEmpty) {}

  static HeaderMutationConfig parse(Mutations m, boolean mostSpecificWins) throws FilterConfigException {
    if (m.getQueryParameterMutationsCount() > 0) {
      throw new FilterConfigException("mutations.query_parameter_mutations: not supported");
    }
    return new HeaderMutationConfig(
        edits(m.getRequestMutationsList(), "mutations.request_mutations"),
        edits(m.getResponseMutationsList(), "mutations.response_mutations"),
        mostSpecificWins);
  }

  private static List<Edit> edits(List<HeaderMutation> protos, String field) throws FilterConfigException {
    List<Edit> out = new ArrayList<>(protos.size());
    for (int i = 0; i < protos.size(); i++) {
      HeaderMutation hm = protos.get(i);
      String where = field + "[" + i + "]";
      switch (hm.getActionCase()) {
        case REMOVE -> out.add(new Edit(checkName(hm.getRemove(), where + ".remove"), "", null, true, false));
        case APPEND -> {
          HeaderValueOption o = hm.getAppend();
          String name = checkName(o.getHeader().getKey(), where + ".append.header.key");
          String value = o.getHeader().getRawValue().isEmpty()
              ? o.getHeader().getValue()
              : o.getHeader().getRawValue().toStringUtf8();
          AppendAction action;
          if (o.hasAppend()) {
            action = o.getAppend().getValue() ? AppendAction.APPEND_IF_EXISTS_OR_ADD : AppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
          } else {
            action = switch (o.getAppendAction()) {
              case ADD_IF_ABSENT -> AppendAction.ADD_IF_ABSENT;
              case OVERWRITE_IF_EXISTS_OR_ADD -> AppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
              case OVERWRITE_IF_EXISTS -> AppendAction.OVERWRITE_IF_EXISTS;
              default -> AppendAction.APPEND_IF_EXISTS_OR_ADD;
            };
          }
          out.add(new Edit(name, value, action, false, o.getKeepEmptyValue()));
        }
        case ACTION_NOT_SET -> throw new FilterConfigException(where + ": one of remove or append is required");
      }
    }
    return out;
  }

  private static String checkName(String name, String where) throws FilterConfigException {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.isEmpty()) {
      throw new FilterConfigException(where + ": must not be empty");
    }
    if (n.startsWith(":") || n.equals("host")) {
      throw new FilterConfigException(where + ": ':'-prefixed headers and host may not be modified");
    }
    return n;
  }
}
