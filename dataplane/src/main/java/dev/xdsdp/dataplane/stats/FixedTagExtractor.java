package dev.xdsdp.dataplane.stats;

import java.util.BitSet;
import java.util.List;

/** A {@code stats_tags} entry with a {@code fixed_value}: the same tag on every stat. */
final class FixedTagExtractor implements TagExtractor {

  private final String name;
  private final String value;

  FixedTagExtractor(String name, String value) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("tag_name cannot be empty");
    }
    this.name = name;
    this.value = value;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String prefixToken() {
    return "";
  }

  @Override
  public boolean extractTag(Context context, List<Tag> tags, BitSet remove) {
    tags.add(new Tag(name, value));
    return true;
  }
}
