package dev.ama.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.InvalidInputException;
import dev.ama.NotFoundException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Which {@link Api} call a request under {@code /api/} asks for, with its parameters checked. */
final class Routes {
  private final Api api;

  Routes(Api api) {
    this.api = api;
  }

  /**
   * The answer to {@code /api/<name>?<query>}.
   *
   * @throws InvalidInputException if a parameter is missing or malformed (HTTP 400)
   * @throws NotFoundException if the endpoint or what it names does not exist (HTTP 404)
   */
  ObjectNode answer(String name, String rawQuery) {
    Map<String, String> q = parse(rawQuery);
    return switch (name) {
      case "types" -> api.types();
      case "aliases" -> api.aliases(required(q, "type"), q.getOrDefault("q", ""), number(q, "limit", Api.DEFAULT_ALIASES),
          Optional.ofNullable(q.get("after")));
      case "versions" -> api.versions(required(q, "type"), number(q, "limit", Api.DEFAULT_PAGE), Optional.ofNullable(q.get("cursor")));
      case "version" -> api.version(required(q, "id"));
      case "history" -> api.history(required(q, "type"), required(q, "alias"));
      case "lineage" -> api.lineage(required(q, "id"), q.getOrDefault("direction", "both"), number(q, "depth", 3));
      case "diff" -> api.diff(required(q, "from"), required(q, "to"));
      case "find" -> api.find(required(q, "digest"));
      default -> throw new NotFoundException("the dashboard has no endpoint /api/" + name
          + "; it has types, aliases, versions, version, history, lineage, diff and find");
    };
  }

  private static Map<String, String> parse(String rawQuery) {
    Map<String, String> q = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return q;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (q.put(key, value) != null) {
        throw new InvalidInputException("the parameter '" + key + "' is given twice; give it once");
      }
    }
    return q;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("a parameter is not valid URL encoding: " + e.getMessage() + "; encode it with encodeURIComponent");
    }
  }

  private static String required(Map<String, String> q, String key) {
    String value = q.get(key);
    if (value == null || value.isEmpty()) {
      throw new InvalidInputException("the parameter '" + key + "' is missing; add ?" + key + "=...");
    }
    return value;
  }

  private static int number(Map<String, String> q, String key, int defaultValue) {
    String value = q.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("the parameter '" + key + "' must be a whole number, was '" + value + "'");
    }
  }
}
