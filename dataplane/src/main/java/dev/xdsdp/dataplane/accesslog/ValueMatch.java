package dev.xdsdp.dataplane.accesslog;

import com.google.protobuf.Value;
import io.envoyproxy.envoy.type.matcher.v3.DoubleMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Envoy's {@code Matchers::ValueMatcher} over {@code envoy.type.matcher.v3.ValueMatcher}. The
 * value tested is a metadata value; an absent value has kind {@code KIND_NOT_SET}.
 */
final class ValueMatch {

  private ValueMatch() {}

  static Predicate<Value> of(ValueMatcher m, String field) throws AccessLogConfigException {
    return switch (m.getMatchPatternCase()) {
      case NULL_MATCH -> v -> v.getKindCase() == Value.KindCase.NULL_VALUE;
      case DOUBLE_MATCH -> doubleMatch(m.getDoubleMatch(), field + ".double_match");
      case STRING_MATCH -> {
        Predicate<String> s = StringMatch.of(m.getStringMatch(), field + ".string_match");
        yield v -> v.getKindCase() == Value.KindCase.STRING_VALUE && s.test(v.getStringValue());
      }
      case BOOL_MATCH -> {
        boolean b = m.getBoolMatch();
        yield v -> v.getKindCase() == Value.KindCase.BOOL_VALUE && v.getBoolValue() == b;
      }
      case PRESENT_MATCH -> {
        boolean p = m.getPresentMatch();
        yield v -> p == (v.getKindCase() != Value.KindCase.KIND_NOT_SET);
      }
      case LIST_MATCH -> {
        if (!m.getListMatch().hasOneOf()) {
          throw new AccessLogConfigException(field + ".list_match: one_of must be set");
        }
        Predicate<Value> item = of(m.getListMatch().getOneOf(), field + ".list_match.one_of");
        yield v -> v.getKindCase() == Value.KindCase.LIST_VALUE
            && v.getListValue().getValuesList().stream().anyMatch(item);
      }
      case OR_MATCH -> {
        List<Predicate<Value>> any = new ArrayList<>();
        int i = 0;
        for (ValueMatcher vm : m.getOrMatch().getValueMatchersList()) {
          any.add(of(vm, field + ".or_match.value_matchers[" + i++ + "]"));
        }
        if (any.size() < 2) {
          throw new AccessLogConfigException(
              field + ".or_match.value_matchers: value must contain at least 2 item(s)");
        }
        yield v -> any.stream().anyMatch(p -> p.test(v));
      }
      case MATCHPATTERN_NOT_SET -> throw new AccessLogConfigException(
          field + ": a match pattern must be set");
    };
  }

  private static Predicate<Value> doubleMatch(DoubleMatcher d, String field)
      throws AccessLogConfigException {
    return switch (d.getMatchPatternCase()) {
      case RANGE -> {
        double start = d.getRange().getStart();
        double end = d.getRange().getEnd();
        yield v -> v.getKindCase() == Value.KindCase.NUMBER_VALUE
            && v.getNumberValue() >= start && v.getNumberValue() < end;
      }
      case EXACT -> {
        double e = d.getExact();
        yield v -> v.getKindCase() == Value.KindCase.NUMBER_VALUE && v.getNumberValue() == e;
      }
      case MATCHPATTERN_NOT_SET -> throw new AccessLogConfigException(
          field + ": one of range or exact must be set");
    };
  }
}
