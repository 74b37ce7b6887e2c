package dev.ama;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads parameter files (YAML and JSON) and flattens them to {@code key → value} so versions can be
 * compared key by key: nested maps become {@code a.b.c}, list items {@code layers[0]}.
 */
final class Parameters {
  /** Files larger than this are compared by bytes only; parameter files are small. */
  static final long MAX_BYTES = 16L * 1024 * 1024;

  // Decimals are read exactly so 0.0005 prints as written, not as the double 5.0E-4.
  private static final ObjectMapper YAML =
      YAMLMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

  private Parameters() {}

  /** Whether a file's name says it holds parameters AMA can flatten. */
  static boolean isParameterFile(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    return p.endsWith(".yml") || p.endsWith(".yaml") || p.endsWith(".json");
  }

  /**
   * Flattens a parameter file's bytes.
   *
   * @throws IOException if the bytes are not valid YAML or JSON; the message says where
   */
  static Map<String, String> flatten(String path, byte[] bytes) throws IOException {
    ObjectMapper mapper = path.toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
    Map<String, String> out = new TreeMap<>();
    // YAML files may hold several documents; each is flattened under its own index past the first.
    var parser = mapper.getFactory().createParser(bytes);
    Iterator<JsonNode> docs = mapper.readValues(parser, JsonNode.class);
    int i = 0;
    while (docs.hasNext()) {
      JsonNode doc = docs.next();
      flatten(i == 0 ? "" : "---" + i, doc, out);
      i++;
    }
    return out;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node == null || node.isMissingNode()) {
      return;
    }
    if (node.isObject()) {
      if (node.isEmpty() && !prefix.isEmpty()) {
        out.put(prefix, "{}");
      }
      node.fields().forEachRemaining(e ->
          flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
    } else if (node.isArray()) {
      if (node.isEmpty()) {
        out.put(prefix, "[]");
      }
      for (int i = 0; i < node.size(); i++) {
        flatten(prefix + "[" + i + "]", node.get(i), out);
      }
    } else {
      out.put(prefix.isEmpty() ? "(value)" : prefix, scalar(node));
    }
  }

  private static String scalar(JsonNode node) {
    if (node.isNull()) {
      return "null";
    }
    if (node.isBigDecimal()) {
      return node.decimalValue().stripTrailingZeros().toPlainString();
    }
    return node.asText();
  }

  /** A value for display, or empty. */
  static Optional<String> get(Map<String, String> params, String key) {
    return Optional.ofNullable(params.get(key));
  }
}
