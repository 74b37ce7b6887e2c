package dev.ama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads and writes manifests and alias log entries as canonical JSON: object keys sorted, no
 * insignificant whitespace, UTF-8, absent optional fields omitted. A version's id is the SHA-256
 * of exactly these bytes, so they are written once and never re-serialized for hashing.
 */
final class Manifests {
  /** The manifest schema this code writes, and the newest it reads. */
  static final int SCHEMA = 1;

  /**
   * Writes canonical JSON and reads strictly: the canonical form has one value per key and nothing
   * after the object, so a duplicate key or trailing data means the bytes were not written by AMA,
   * and accepting them ("last key wins") would let two readers see different contents.
   */
  static final ObjectMapper JSON = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Manifests() {}

  /** What an upload wants to record; becomes an {@link AssetVersion} once hashed. */
  record Draft(
      String type,
      List<AssetFile> files,
      List<Ref> refs,
      String createdBy,
      Instant createdAt,
      Optional<String> alias,
      Optional<String> description,
      Map<String, String> labels) {}

  static byte[] write(Draft d) {
    ObjectNode root = NODES.objectNode();
    d.alias().ifPresent(a -> root.put("alias", a));
    root.put("createdAt", d.createdAt().toString());
    root.put("createdBy", d.createdBy());
    d.description().ifPresent(s -> root.put("description", s));
    ArrayNode files = root.putArray("files");
    d.files().stream().sorted(Comparator.comparing(AssetFile::path)).forEach(f -> {
      ObjectNode n = files.addObject();
      n.put("digest", f.digest().toString());
      n.put("path", f.path());
      n.put("size", f.size());
    });
    ObjectNode labels = root.putObject("labels");
    new TreeMap<>(d.labels()).forEach(labels::put);
    ArrayNode refs = root.putArray("refs");
    d.refs().stream()
        .sorted(Comparator.comparing(Ref::type).thenComparing(Ref::version).thenComparing(r -> r.alias().orElse("")))
        .forEach(r -> {
          ObjectNode n = refs.addObject();
          r.alias().ifPresent(a -> n.put("alias", a));
          n.put("type", r.type());
          n.put("version", r.version().toString());
        });
    root.put("schema", SCHEMA);
    root.put("type", d.type());
    return canonical(root);
  }

  /** Canonical bytes of a tree: object keys sorted at every level, compact, UTF-8. */
  static byte[] canonical(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(sorted(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + node, e);
    }
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = NODES.objectNode();
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      names.forEach(n -> out.set(n, sorted(node.get(n))));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = NODES.arrayNode();
      node.forEach(n -> out.add(sorted(n)));
      return out;
    }
    return node;
  }

  /**
   * Parses and validates a manifest read from a store, whose bytes must hash to {@code id}.
   *
   * @throws IntegrityException if the bytes do not match the id, are not a valid manifest, or
   *     hold an unsafe path
   */
  static AssetVersion read(Digest id, byte[] bytes, String location) {
    Digest actual = Digest.sha256(bytes);
    if (!actual.equals(id)) {
      throw new IntegrityException(
          "manifest " + id + " in " + location + " is corrupt: its bytes hash to " + actual
              + "; nothing was downloaded. Upload the asset's files again to make a new, intact version (the alias"
              + " moves to it), or restore the manifest from a backup");
    }
    String where = "manifest " + id + " in " + location;
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root == null || !root.isObject()) {
        throw new IntegrityException(where + " is not a JSON object");
      }
      JsonNode schema = root.get("schema");
      if (schema == null || !schema.isIntegralNumber() || schema.bigIntegerValue().signum() < 1) {
        throw new IntegrityException(where + " has no valid 'schema' field (a whole number from 1, found "
            + schema + "); it was not written by AMA");
      }
      if (schema.bigIntegerValue().compareTo(BigInteger.valueOf(SCHEMA)) > 0) {
        throw new IntegrityException(
            where + " uses manifest schema " + schema.bigIntegerValue() + " but this AMA reads up to " + SCHEMA
                + ". Upgrade AMA to read it");
      }
      String type = text(root, "type", where);
      List<AssetFile> files = new ArrayList<>();
      TreeSet<String> paths = new TreeSet<>();
      for (JsonNode f : array(root, "files", where)) {
        String path = text(f, "path", where);
        try {
          AssetPaths.check(path);
        } catch (InvalidInputException e) {
          throw new IntegrityException(
              where + " is unsafe: " + e.getMessage()
                  + ". It was not written by AMA or was tampered with; nothing was downloaded", e);
        }
        if (!paths.add(path)) {
          throw new IntegrityException(where + " lists the file '" + path + "' twice");
        }
        files.add(new AssetFile(path, Digest.parse(text(f, "digest", where)), whole(f, "size", 0, Long.MAX_VALUE, where)));
      }
      checkNoFileBeneathAnother(paths, where);
      List<Ref> refs = new ArrayList<>();
      for (JsonNode r : array(root, "refs", where)) {
        refs.add(new Ref(
            text(r, "type", where),
            Optional.ofNullable(r.get("alias")).map(JsonNode::asText),
            Digest.parse(text(r, "version", where))));
      }
      Map<String, String> labels = new TreeMap<>();
      JsonNode labelNode = root.path("labels");
      for (Iterator<Map.Entry<String, JsonNode>> it = labelNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        labels.put(e.getKey(), e.getValue().asText());
      }
      return new AssetVersion(
          id,
          Names.checkType(type),
          files,
          refs,
          text(root, "createdBy", where),
          Instant.parse(text(root, "createdAt", where)),
          Optional.ofNullable(root.get("alias")).map(JsonNode::asText),
          Optional.ofNullable(root.get("description")).map(JsonNode::asText),
          labels);
    } catch (IOException | DateTimeParseException | IllegalArgumentException | InvalidInputException e) {
      throw new IntegrityException(where + " is malformed: " + e.getMessage(), e);
    }
  }

  static AssetVersion fromDraft(Digest id, Draft d) {
    List<AssetFile> files = new ArrayList<>(d.files());
    files.sort(Comparator.comparing(AssetFile::path));
    return new AssetVersion(
        id, d.type(), files, d.refs(), d.createdBy(), d.createdAt(), d.alias(), d.description(), d.labels());
  }

  static byte[] writeAliasEntry(AliasEntry e) {
    ObjectNode root = NODES.objectNode();
    root.put("alias", e.alias());
    root.put("at", e.at().toString());
    root.put("by", e.by());
    e.previous().ifPresent(p -> root.put("previous", p.toString()));
    if (e.removed()) {
      // No "version" on a removal, ever: readers that predate removals require one, so they refuse
      // this entry instead of taking it for a pointer (store-format.md, Compatibility).
      root.put("removed", true);
    }
    root.put("seq", e.seq());
    e.signature().ifPresent(sig -> {
      ObjectNode n = root.putObject("signature");
      n.put("keyid", sig.keyId());
      n.put("sig", sig.value());
    });
    root.put("type", e.type());
    e.target().ifPresent(v -> root.put("version", v.toString()));
    return canonical(root);
  }

  /**
   * The bytes an alias entry's signature signs: DSSE's pre-authentication encoding of the entry's
   * canonical JSON without its {@code signature} field, under {@link AliasSignature#PAYLOAD_TYPE}.
   */
  static byte[] aliasEntrySigned(AliasEntry e) {
    return Dsse.pae(AliasSignature.PAYLOAD_TYPE, writeAliasEntry(e.withSignature(Optional.empty())));
  }

  static AliasEntry readAliasEntry(byte[] bytes, String key, String location) {
    String where = "alias log entry " + key + " in " + location;
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root == null || !root.isObject()) {
        throw new IntegrityException(where + " is not a JSON object");
      }
      Optional<Digest> previous = Optional.ofNullable(root.get("previous")).map(n -> Digest.parse(n.asText()));
      JsonNode removed = root.get("removed");
      boolean removal = removed != null;
      if (removal && !(removed.isBoolean() && removed.booleanValue())) {
        throw new IntegrityException(where + " has an invalid 'removed' field: a removal has \"removed\":true and a"
            + " move has no such field, found " + removed);
      }
      if (removal == root.has("version")) {
        // Both: a reader that ignores "removed" would see a pointer where this one sees a removal.
        throw new IntegrityException(where + (removal
            ? " is both a removal and a move: it has \"removed\":true and a 'version'; it was not written by AMA"
            : " has no text field 'version'"));
      }
      if (removal && previous.isEmpty()) {
        throw new IntegrityException(where + " is a removal without 'previous', the version it removed");
      }
      return new AliasEntry(
          text(root, "type", where),
          text(root, "alias", where),
          whole(root, "seq", 1, Long.MAX_VALUE, where),
          removal ? Optional.empty() : Optional.of(Digest.parse(text(root, "version", where))),
          previous,
          text(root, "by", where),
          Instant.parse(text(root, "at", where)),
          aliasSignature(root.get("signature"), where));
    } catch (IOException | DateTimeParseException | IllegalArgumentException | InvalidInputException e) {
      throw new IntegrityException(where + " is malformed: " + e.getMessage(), e);
    }
  }

  private static Optional<AliasSignature> aliasSignature(JsonNode n, String where) {
    if (n == null) {
      return Optional.empty();
    }
    if (!n.isObject()) {
      throw new IntegrityException(where + " has an invalid 'signature' field: expected {\"keyid\",\"sig\"}, found " + n);
    }
    return Optional.of(new AliasSignature(text(n, "keyid", where), text(n, "sig", where)));
  }

  /**
   * A whole number in a range, read exactly: {@code asLong()} would turn {@code 1e20} or {@code 1.5}
   * into some other number and report that instead of the stored value.
   */
  static long whole(JsonNode node, String field, long min, long max, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
      throw new IntegrityException(where + " has no valid '" + field + "' field: expected a whole number from " + min
          + (max == Long.MAX_VALUE ? "" : " to " + max) + ", found " + v);
    }
    return v.longValue();
  }

  /**
   * Refuses {@code a} beside {@code a/b}: no folder can hold both a file and a folder of one name,
   * so such a manifest cannot be downloaded anywhere, and the fault is the store's, not the folder's.
   */
  private static void checkNoFileBeneathAnother(TreeSet<String> paths, String where) {
    for (String p : paths) {
      String beneath = paths.ceiling(p + "/");
      if (beneath != null && beneath.startsWith(p + "/")) {
        throw new IntegrityException(where + " lists both the file '" + p + "' and the file '" + beneath
            + "' beneath it, which no folder can hold. It was not written by AMA or was tampered with; nothing was"
            + " downloaded");
      }
    }
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new IntegrityException(where + " has no text field '" + field + "'");
    }
    return v.asText();
  }

  private static Iterable<JsonNode> array(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isArray()) {
      throw new IntegrityException(where + " has no array field '" + field + "'");
    }
    return v;
  }
}
