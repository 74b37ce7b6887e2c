package dev.ama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The in-toto Statement v1 a version's signature carries: one subject per file (path and SHA-256),
 * and a predicate shaped as the OpenSSF model-signing (OMS v1.0) predicate, its {@code
 * serialization} and {@code resources}, plus the AMA version id and type. Written as canonical
 * JSON; docs/trust.md lists where it deviates from OMS.
 */
final class VersionStatement {
  static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  static final String PREDICATE_TYPE = "https://ama.dev/signature/v1";

  private VersionStatement() {}

  /** The statement of a version, canonical JSON. */
  static byte[] of(AssetVersion v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("_type", STATEMENT_TYPE);
    ArrayNode subjects = root.putArray("subject");
    ObjectNode predicate = f.objectNode();
    ObjectNode ama = predicate.putObject("ama");
    ama.put("type", v.type());
    ama.put("version", v.version().toString());
    ArrayNode resources = predicate.putArray("resources");
    for (AssetFile file : v.files()) {
      ObjectNode s = subjects.addObject();
      s.put("name", file.path());
      s.putObject("digest").put(file.digest().algorithm(), file.digest().hex());
      ObjectNode r = resources.addObject();
      r.put("algorithm", file.digest().algorithm());
      r.put("digest", file.digest().hex());
      r.put("name", file.path());
    }
    ObjectNode serialization = predicate.putObject("serialization");
    serialization.put("allow_symlinks", false);
    serialization.put("hash_type", Digest.SHA256);
    serialization.putArray("ignore_paths");
    serialization.put("method", "files");
    root.set("predicate", predicate);
    root.put("predicateType", PREDICATE_TYPE);
    return Manifests.canonical(root);
  }

  /**
   * Why a signed statement does not describe this version, or empty if it does: its type, the
   * version id and type it names, and its subjects, which must be exactly the version's files
   * with their digests (no file more, none fewer).
   */
  static Optional<String> mismatch(byte[] statement, AssetVersion v) {
    JsonNode root;
    try {
      root = Manifests.JSON.readTree(statement);
    } catch (IOException e) {
      return Optional.of("its statement is not JSON (" + e.getMessage() + ")");
    }
    if (root == null || !root.isObject() || !STATEMENT_TYPE.equals(root.path("_type").asText())) {
      return Optional.of("its payload is not an in-toto Statement v1");
    }
    if (!PREDICATE_TYPE.equals(root.path("predicateType").asText())) {
      return Optional.of("its predicate type is " + root.path("predicateType") + ", not " + PREDICATE_TYPE);
    }
    JsonNode ama = root.path("predicate").path("ama");
    if (!v.version().toString().equals(ama.path("version").asText()) || !v.type().equals(ama.path("type").asText())) {
      return Optional.of("it signs version " + ama.path("version").asText("(none)") + " of type "
          + ama.path("type").asText("(none)") + ", not this one (a signature copied from another version)");
    }
    Map<String, String> signed = new TreeMap<>();
    for (JsonNode s : root.path("subject")) {
      if (signed.put(s.path("name").asText(), s.path("digest").path(Digest.SHA256).asText()) != null) {
        return Optional.of("it names the subject '" + s.path("name").asText() + "' twice");
      }
    }
    Map<String, String> files = new TreeMap<>();
    v.files().forEach(file -> files.put(file.path(), file.digest().hex()));
    if (!signed.equals(files)) {
      for (Map.Entry<String, String> e : files.entrySet()) {
        String s = signed.get(e.getKey());
        if (s == null) {
          return Optional.of("it does not name the file '" + e.getKey() + "'");
        }
        if (!s.equals(e.getValue())) {
          return Optional.of("it gives the file '" + e.getKey() + "' the digest sha256:" + s + ", but the version's is sha256:"
              + e.getValue());
        }
      }
      return Optional.of("it names files the version does not have: " + String.join(", ",
          signed.keySet().stream().filter(k -> !files.containsKey(k)).toList()));
    }
    return Optional.empty();
  }
}
