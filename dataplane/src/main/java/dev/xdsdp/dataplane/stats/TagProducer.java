package dev.xdsdp.dataplane.stats;

import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import io.envoyproxy.envoy.config.metrics.v3.TagSpecifier;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a stat name into its tag-extracted name and tags, as Envoy's {@code TagProducerImpl}:
 * extractors without a prefix token run first, then those whose prefix token is the name's first
 * token, each in configuration order (default rules, then {@code stats_tags}). Where several
 * extractors share a tag name, only the first that matches adds the tag. Immutable and
 * thread-safe.
 */
public final class TagProducer {

  /** The result: the name with the tags cut out, and the tags in extraction order. */
  public record Extraction(String tagExtractedName, List<Tag> tags) {}

  private final List<TagExtractor> withoutPrefix = new ArrayList<>();
  private final Map<String, List<TagExtractor>> byPrefix = new HashMap<>();
  private final Set<String> sharedNames = new HashSet<>();
  private final Map<String, Integer> nameCounts = new LinkedHashMap<>();


  /** Envoy's defaults: every built-in rule, no custom tags. */
  public static TagProducer defaults() {
    return Defaults.INSTANCE;
  }

  private static final class Defaults {
    static final TagProducer INSTANCE = new TagProducer(StatsConfig.getDefaultInstance());
  }

  /**
   * From bootstrap {@code stats_config}: the built-in rules unless {@code use_all_default_tags} is
   * false, then each {@code stats_tags} entry (a regex, a fixed value, or, with neither, the
   * built-in rules of that name).
   *
   * @throws IllegalArgumentException with Envoy's message for an invalid entry
   */
  public static TagProducer from(StatsConfig config) {
    return new TagProducer(config);
  }

  private TagProducer(StatsConfig config) {
    if (!config.hasUseAllDefaultTags() || config.getUseAllDefaultTags().getValue()) {
      for (DefaultTagNames.Re2Rule r : DefaultTagNames.RE2_RULES) {
        add(RegexTagExtractor.builtin(r.name(), r.regex(), r.substr(), r.negativeMatch()));
      }
      for (DefaultTagNames.TokenRule r : DefaultTagNames.TOKEN_RULES) {
        add(new TokenTagExtractor(r.name(), r.pattern()));
      }
    }
    for (TagSpecifier spec : config.getStatsTagsList()) {
      String name = spec.getTagName();
      switch (spec.getTagValueCase()) {
        case FIXED_VALUE -> add(new FixedTagExtractor(name, spec.getFixedValue()));
        case REGEX, TAGVALUE_NOT_SET -> {
          if (spec.getRegex().isEmpty()) {
            if (addDefaultsNamed(name) == 0) {
              throw new IllegalArgumentException(
                  "No regex specified for tag specifier and no default regex for name: '" + name + "'");
            }
          } else {
            add(RegexTagExtractor.custom(name, spec.getRegex()));
          }
        }
      }
    }
    for (Map.Entry<String, Integer> e : nameCounts.entrySet()) {
      if (e.getValue() > 1) {
        sharedNames.add(e.getKey());
      }
    }
  }

  private int addDefaultsNamed(String name) {
    int found = 0;
    for (DefaultTagNames.Re2Rule r : DefaultTagNames.RE2_RULES) {
      if (r.name().equals(name)) {
        add(RegexTagExtractor.builtin(r.name(), r.regex(), r.substr(), r.negativeMatch()));
        found++;
      }
    }
    for (DefaultTagNames.TokenRule r : DefaultTagNames.TOKEN_RULES) {
      if (r.name().equals(name)) {
        add(new TokenTagExtractor(r.name(), r.pattern()));
        found++;
      }
    }
    return found;
  }

  private void add(TagExtractor extractor) {
    nameCounts.merge(extractor.name(), 1, Integer::sum);
    String prefix = extractor.prefixToken();
    if (prefix.isEmpty()) {
      withoutPrefix.add(extractor);
    } else {
      byPrefix.computeIfAbsent(prefix, k -> new ArrayList<>()).add(extractor);
    }
  }

  /** Extracts the tags of one full stat name. */
  public Extraction produceTags(String statName) {
    List<Tag> tags = new ArrayList<>(4);
    BitSet remove = new BitSet(statName.length());
    TagExtractor.Context context = new TagExtractor.Context(statName);
    Set<String> extractedShared = new HashSet<>(2);
    for (TagExtractor e : withoutPrefix) {
      apply(e, context, tags, remove, extractedShared);
    }
    int dot = statName.indexOf('.');
    if (dot >= 0) {
      List<TagExtractor> prefixed = byPrefix.get(statName.substring(0, dot));
      if (prefixed != null) {
        for (TagExtractor e : prefixed) {
          apply(e, context, tags, remove, extractedShared);
        }
      }
    }
    return new Extraction(removeCharacters(statName, remove), List.copyOf(tags));
  }

  private void apply(TagExtractor e, TagExtractor.Context context, List<Tag> tags, BitSet remove,
      Set<String> extractedShared) {
    boolean shared = sharedNames.contains(e.name());
    if (shared && extractedShared.contains(e.name())) {
      return;
    }
    if (e.extractTag(context, tags, remove) && shared) {
      extractedShared.add(e.name());
    }
  }

  private static String removeCharacters(String s, BitSet remove) {
    if (remove.isEmpty()) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      if (!remove.get(i)) {
        sb.append(s.charAt(i));
      }
    }
    return sb.toString();
  }
}
