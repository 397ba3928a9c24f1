package dev.xdsdp.api.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/** {@link HeaderMap} over two parallel lists; header maps are small, so linear scans win. */
final class ListHeaderMap implements HeaderMap {

  private final ArrayList<String> names;
  private final ArrayList<String> values;
  private int pseudoCount;

  ListHeaderMap() {
    this.names = new ArrayList<>(16);
    this.values = new ArrayList<>(16);
  }

  private ListHeaderMap(ListHeaderMap other) {
    this.names = new ArrayList<>(other.names);
    this.values = new ArrayList<>(other.values);
    this.pseudoCount = other.pseudoCount;
  }

  static String normalize(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return name.toLowerCase(Locale.ROOT);
      }
    }
    return name;
  }

  @Override
  public String get(String name) {
    String key = normalize(name);
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equals(key)) {
        return values.get(i);
      }
    }
    return null;
  }

  @Override
  public List<String> getAll(String name) {
    String key = normalize(name);
    List<String> out = null;
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equals(key)) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(values.get(i));
      }
    }
    return out == null ? List.of() : out;
  }

  @Override
  public boolean contains(String name) {
    return names.contains(normalize(name));
  }

  @Override
  public void add(String name, String value) {
    String key = normalize(name);
    if (!key.isEmpty() && key.charAt(0) == ':') {
      names.add(pseudoCount, key);
      values.add(pseudoCount, value);
      pseudoCount++;
    } else {
      names.add(key);
      values.add(value);
    }
  }

  @Override
  public void set(String name, String value) {
    String key = normalize(name);
    int first = names.indexOf(key);
    if (first < 0) {
      add(key, value);
      return;
    }
    values.set(first, value);
    for (int i = names.size() - 1; i > first; i--) {
      if (names.get(i).equals(key)) {
        removeAt(i);
      }
    }
  }

  private void removeAt(int i) {
    if (i < pseudoCount) {
      pseudoCount--;
    }
    names.remove(i);
    values.remove(i);
  }

  @Override
  public int remove(String name) {
    String key = normalize(name);
    int removed = 0;
    for (int i = names.size() - 1; i >= 0; i--) {
      if (names.get(i).equals(key)) {
        removeAt(i);
        removed++;
      }
    }
    return removed;
  }

  @Override
  public int removePrefix(String prefix) {
    String key = normalize(prefix);
    int removed = 0;
    for (int i = names.size() - 1; i >= 0; i--) {
      if (names.get(i).startsWith(key)) {
        removeAt(i);
        removed++;
      }
    }
    return removed;
  }

  @Override
  public int size() {
    return names.size();
  }

  @Override
  public boolean isEmpty() {
    return names.isEmpty();
  }

  @Override
  public void clear() {
    names.clear();
    values.clear();
    pseudoCount = 0;
  }

  @Override
  public void forEach(BiConsumer<String, String> action) {
    for (int i = 0; i < names.size(); i++) {
      action.accept(names.get(i), values.get(i));
    }
  }

  @Override
  public List<Map.Entry<String, String>> entries() {
    List<Map.Entry<String, String>> out = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      out.add(Map.entry(names.get(i), values.get(i)));
    }
    return out;
  }

  @Override
  public long byteSize() {
    long size = 0;
    for (int i = 0; i < names.size(); i++) {
      size += names.get(i).length() + values.get(i).length();
    }
    return size;
  }

  @Override
  public HeaderMap copy() {
    return new ListHeaderMap(this);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(names.get(i)).append('=').append(values.get(i));
    }
    return sb.append('}').toString();
  }
}
