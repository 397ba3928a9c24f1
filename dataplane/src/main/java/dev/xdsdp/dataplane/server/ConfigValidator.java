package dev.xdsdp.dataplane.server;

import dev.xdsdp.api.registry.ExtensionRegistry;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.filters.wasm.WasmServices;
import dev.xdsdp.dataplane.formatter.FormatterException;
import dev.xdsdp.dataplane.formatter.SubstitutionFormatStrings;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.FieldPath;
import dev.xdsdp.xds.resource.HeaderValueValidator;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.resource.listener.ListenerResourceType;
import dev.xdsdp.xds.snapshot.StaticResources;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code --mode validate}: parses everything the bootstrap asks for, without binding or connecting,
 * and lists every error and every field or extension this data plane would not honour.
 */
public final class ConfigValidator {

  /** Top-level bootstrap fields that are implemented (or have no effect on traffic). */
  static final Set<String> BOOTSTRAP_FIELDS = Set.of(
      "node", "static_resources", "admin", "stats_config", "stats_flush_interval", "application_log_config",
      "layered_runtime", "watchdog", "watchdogs", "default_regex_engine", "node_context_params",
      "use_tcp_for_dns_lookups", "enable_dispatcher_stats", "stats_server_version_override", "bootstrap_extensions");

  /**
   * The outcome: errors make the config unusable, unsupported settings would be ignored; warnings
   * are about what Envoy accepts too but is rarely meant, and do not fail validation.
   */
  public record Report(List<String> errors, List<String> unsupported, List<String> warnings) {
    public boolean ok() {
      return errors.isEmpty() && unsupported.isEmpty();
    }
  }

  /**
   * Header values to add are substitution format strings, parsed by the same formatter the router
   * uses; one that does not parse is an error, as in Envoy.
   */
  public static final HeaderValueValidator HEADER_VALUES = value -> {
    try {
      SubstitutionFormatStrings.text(value, true);
      return null;
    } catch (FormatterException e) {
      return e.getMessage();
    }
  };

  private ConfigValidator() {}

  public static Report validate(Bootstrap bootstrap, ExtensionRegistry registry, StatsScope stats, Node node,
      UnaryOperator<com.google.protobuf.Any> normalizer) {
    ConfigIssues issues = new ConfigIssues();
    issues.beginResource("bootstrap");
    issues.checkFields(bootstrap, FieldPath.ROOT, BOOTSTRAP_FIELDS);
    if (bootstrap.hasAdmin() && bootstrap.getAdmin().hasAddress()
        && !bootstrap.getAdmin().getAddress().hasSocketAddress()) {
      issues.unsupported(FieldPath.ROOT.field("admin").field("address"), "only socket addresses are supported for admin");
    }
    ParseContext ctx = new ParseContext(registry, stats, node, true, issues, normalizer, HEADER_VALUES);
    List<String> errors = new ArrayList<>();
    if (bootstrap.getAdmin().getAccessLogCount() > 0) {
      // The admin server's access logs are built like a listener's; a bad one fails startup in Envoy.
      try {
        ListenerResourceType.parseAccessLogs(bootstrap.getAdmin().getAccessLogList(), ctx,
            ctx.factoryContext("admin", stats.scope("admin")), FieldPath.ROOT.field("admin").field("access_log"), "bootstrap");
      } catch (ResourceInvalidException e) {
        errors.add(oneLine(e.describe()));
      }
    }
    for (String e : WasmServices.validate(bootstrap, normalizer)) {
      errors.add(oneLine("bootstrap: " + e));
    }
    for (WasmServices.Skipped sk : WasmServices.skipped(bootstrap, normalizer)) {
      String t = sk.typeUrl();
      issues.unsupported(FieldPath.ROOT.field("bootstrap_extensions").index(sk.index()), "bootstrap extension "
          + sk.name() + " (" + t.substring(t.lastIndexOf('/') + 1) + ") is not supported and would be ignored");
    }
    StaticResources resources = StaticResources.parse(bootstrap, ctx);
    for (ResourceInvalidException e : resources.errors()) {
      errors.add(oneLine(e.describe()));
    }
    List<String> unsupported = new ArrayList<>();
    for (ConfigIssues.Issue i : resources.issues()) {
      unsupported.add(oneLine(i.toString()));
    }
    List<String> warnings = new ArrayList<>();
    for (String w : dev.xdsdp.dataplane.filters.wasm.WasmConfigWarnings.of(bootstrap, normalizer)) {
      warnings.add(oneLine(w));
    }
    return new Report(errors, unsupported, warnings);
  }

  /**
   * Each problem is one output line, also when a message quotes config text with line breaks (an
   * access log format ending in a newline, say): they are shown escaped, as written in YAML.
   */
  static String oneLine(String message) {
    return message.replace("\r", "\\r").replace("\n", "\\n");
  }
}
