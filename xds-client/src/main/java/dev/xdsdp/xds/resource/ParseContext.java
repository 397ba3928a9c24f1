package dev.xdsdp.xds.resource;

import com.google.protobuf.Any;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.registry.ExtensionRegistry;
import dev.xdsdp.api.stats.StatsScope;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What resource parsers need besides the proto: the extension registry, the stats root for filter
 * factories, the local node, where unsupported fields are reported, how to normalise an
 * {@code Any} (TypedStruct wrappers become the wrapped type) and how to check header value
 * templates. One per parse run.
 */
public final class ParseContext {

  private final ExtensionRegistry registry;
  private final StatsScope statsRoot;
  private final Node node;
  private final boolean isStatic;
  private final ConfigIssues issues;
  private final UnaryOperator<Any> anyNormalizer;
  private final HeaderValueValidator headerValues;

  /** A context that does not check header value templates. */
  public ParseContext(
      ExtensionRegistry registry,
      StatsScope statsRoot,
      Node node,
      boolean isStatic,
      ConfigIssues issues,
      UnaryOperator<Any> anyNormalizer) {
    this(registry, statsRoot, node, isStatic, issues, anyNormalizer, HeaderValueValidator.NONE);
  }

  public ParseContext(
      ExtensionRegistry registry,
      StatsScope statsRoot,
      Node node,
      boolean isStatic,
      ConfigIssues issues,
      UnaryOperator<Any> anyNormalizer,
      HeaderValueValidator headerValues) {
    this.registry = Objects.requireNonNull(registry);
    this.statsRoot = Objects.requireNonNull(statsRoot);
    this.node = Objects.requireNonNull(node);
    this.isStatic = isStatic;
    this.issues = Objects.requireNonNull(issues);
    this.anyNormalizer = Objects.requireNonNull(anyNormalizer);
    this.headerValues = Objects.requireNonNull(headerValues);
  }

  public ExtensionRegistry registry() {
    return registry;
  }

  public StatsScope statsRoot() {
    return statsRoot;
  }

  public Node node() {
    return node;
  }

  public boolean isStatic() {
    return isStatic;
  }

  public ConfigIssues issues() {
    return issues;
  }

  /** {@code any} with TypedStruct wrappers replaced by the message they describe. */
  public Any normalize(Any any) {
    return anyNormalizer.apply(any);
  }

  /** Why a header value to add cannot be used, or null when it can (or nothing is checked). */
  public String headerValueProblem(String value) {
    return value.indexOf('%') < 0 ? null : headerValues.problem(value);
  }

  /** The factory context for filters of one listener (or of none, for route-level configs). */
  public FactoryContext factoryContext(String listenerName, StatsScope scope) {
    return new SimpleFactoryContext(scope, node, listenerName, isStatic);
  }

  private record SimpleFactoryContext(StatsScope scope, Node localNode, String listenerName, boolean isStatic)
      implements FactoryContext {}
}
