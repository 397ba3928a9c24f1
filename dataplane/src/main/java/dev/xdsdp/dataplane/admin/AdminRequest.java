package dev.xdsdp.dataplane.admin;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One admin request as a handler sees it: the method, the path without the query, and the query
 * parameters. As in Envoy's {@code AdminFilter::queryParams}, a POST whose URL has no query but
 * whose body is {@code application/x-www-form-urlencoded} takes its parameters from the body.
 *
 * @param method the HTTP method, upper case
 * @param path the path before any {@code ?}
 * @param query the raw query (without {@code ?}), or the form body when the URL has none; "" when
 *     there are no parameters
 * @param params the decoded parameters in order of first appearance, each with all its values
 */
public record AdminRequest(String method, String path, String query, Map<String, List<String>> params) {

  private static final String FORM = "application/x-www-form-urlencoded";

  public AdminRequest {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    params.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    params = Collections.unmodifiableMap(copy);
  }

  /**
   * Builds the request from what arrived on the wire.
   *
   * @param uri the request target, path and query
   * @param contentType the {@code content-type} header, or null
   * @param body the request body, or null
   */
  public static AdminRequest of(String method, String uri, String contentType, String body) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    String query = q < 0 ? "" : uri.substring(q + 1);
    int hash = query.indexOf('#');
    if (hash >= 0) {
      query = query.substring(0, hash);
    }
    if (query.isEmpty() && body != null && !body.isEmpty() && contentType != null
        && contentType.regionMatches(true, 0, FORM, 0, FORM.length())) {
      query = body;
    }
    return new AdminRequest(method, path, query, parse(query));
  }

  /** The first value of {@code name} (possibly ""), or empty when the parameter is absent. */
  public Optional<String> first(String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /** The first value of {@code name} when it is present and not empty (Envoy's {@code queryParam}). */
  public Optional<String> nonEmpty(String name) {
    return first(name).filter(s -> !s.isEmpty());
  }

  /** Whether {@code name} appears at all, with or without a value. */
  public boolean has(String name) {
    return params.containsKey(name);
  }

  public boolean isPost() {
    return method.equals("POST");
  }

  /**
   * Splits a query on {@code &} and each part on its first {@code =}, decoding {@code %XX} escapes
   * only: a {@code +} stays a {@code +}, which regular expressions in {@code filter} rely on.
   */
  static Map<String, List<String>> parse(String query) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (query.isEmpty()) {
      return out;
    }
    for (String part : query.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String key = percentDecode(eq < 0 ? part : part.substring(0, eq));
      String value = eq < 0 ? "" : percentDecode(part.substring(eq + 1));
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
        bytes.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 3;
      } else {
        int cp = s.codePointAt(i);
        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
        i += Character.charCount(cp);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
