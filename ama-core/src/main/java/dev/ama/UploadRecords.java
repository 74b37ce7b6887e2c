package dev.ama;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ama.spi.Content;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The upload records of a format 2 store: one object per version, written by its upload before its
 * manifest, saying where each of its blobs lives (a range of a pack, or a loose object under
 * {@code blobs/}). Manifests stay content only, so a version's id never depends on where its bytes
 * are; the record is found from the manifest alone (its upload time and id name the key), so a
 * download or the next upload of the same alias finds every location in one request.
 */
final class UploadRecords {
  /** Where one blob lives; {@code pack} empty means a loose object at {@link Store#blobKey}. */
  record Location(Digest blob, long size, Optional<Digest> pack, long offset) {
    static Location loose(Digest blob, long size) {
      return new Location(blob, size, Optional.empty(), 0);
    }

    static Location packed(Digest blob, long size, Digest pack, long offset) {
      return new Location(blob, size, Optional.of(pack), offset);
    }

    /** The object holding the bytes, for messages. */
    String objectKey() {
      return pack.map(Store::packKey).orElseGet(() -> Store.blobKey(blob));
    }
  }

  /** A version's upload record. */
  record UploadRecord(Digest version, String type, Instant createdAt, List<Location> blobs) {
    Map<Digest, Location> byBlob() {
      Map<Digest, Location> out = new LinkedHashMap<>();
      blobs.forEach(l -> out.putIfAbsent(l.blob(), l));
      return out;
    }

    String key() {
      return StoreLayout.uploadRecord(createdAt, version);
    }
  }

  private final Store store;
  /** Records never change under their key: one read per version and client is enough. */
  private final Cache<Digest, UploadRecord> read = Caffeine.newBuilder().maximumSize(32).build();

  UploadRecords(Store store) {
    this.store = store;
  }

  /** Writes a version's record, create-only: a retried upload writes the same bytes again, which changes nothing. */
  void write(UploadRecord r) {
    store.putIfAbsent(r.key(), Content.ofBytes(encode(r)));
    read.put(r.version(), r);
  }

  /**
   * The record of a stored version, or empty for a version without one (uploaded before its store
   * was in format 2, or whose record was lost: its blobs are then looked for as loose objects).
   *
   * @throws IntegrityException if the record is damaged
   */
  Optional<UploadRecord> of(AssetVersion v) {
    UploadRecord known = read.getIfPresent(v.version());
    if (known != null) {
      return Optional.of(known);
    }
    Optional<UploadRecord> r = read(StoreLayout.uploadRecord(v.createdAt(), v.version()));
    r.filter(x -> x.version().equals(v.version())).ifPresent(x -> read.put(x.version(), x));
    return r;
  }

  /** The record at a key, as listed; empty if it vanished. */
  Optional<UploadRecord> read(String key) {
    return store.readIfExists(key, Store.MAX_MANIFEST_BYTES, "upload record").map(b -> decode(b, key));
  }

  /**
   * The record's canonical JSON (keys sorted at every level, compact, UTF-8), written field by field
   * in that order rather than built as a tree: a version of 100,000 files has a record of some
   * 15 MB, whose tree and sorted copy would take several times that of the heap.
   */
  static byte[] encode(UploadRecord r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 160 * r.blobs().size());
    try (JsonGenerator g = Manifests.JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("blobs");
      for (Location l : r.blobs()) {
        g.writeStartObject();
        g.writeStringField("digest", l.blob().toString());
        if (l.pack().isPresent()) {
          g.writeNumberField("offset", l.offset());
          g.writeStringField("pack", l.pack().get().toString());
        }
        g.writeNumberField("size", l.size());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeStringField("createdAt", r.createdAt().toString());
      g.writeNumberField("format", Store.FORMAT_V2);
      g.writeStringField("type", r.type());
      g.writeStringField("version", r.version().toString());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the upload record of " + r.version(), e);
    }
    return out.toByteArray();
  }

  /**
   * Parses a record strictly: every location is checked when it is used (the bytes hash to the
   * blob's digest), but a record that does not parse is damage and is reported as such.
   */
  static UploadRecord decode(byte[] bytes, String key) {
    String where = "upload record " + key;
    try {
      JsonNode n = Manifests.JSON.readTree(bytes);
      if (n == null || !n.isObject() || !n.path("blobs").isArray()) {
        throw new IntegrityException(where + " is not an upload record; it was not written by AMA or was damaged."
            + " Upload the version's files again, or restore it from a backup");
      }
      List<Location> blobs = new ArrayList<>();
      for (JsonNode b : n.get("blobs")) {
        blobs.add(decodeLocation(b, where));
      }
      Instant at = Instant.parse(n.path("createdAt").asText());
      return new UploadRecord(digest(n, "version", where), n.path("type").asText(), at, List.copyOf(blobs));
    } catch (IOException | RuntimeException e) {
      if (e instanceof IntegrityException ie) {
        throw ie;
      }
      throw new IntegrityException(where + " does not parse (" + e.getMessage() + "); it was not written by AMA or"
          + " was damaged. Upload the version's files again, or restore it from a backup", e);
    }
  }

  /** One location as records and content table shards write it: {@code digest}, {@code size}, and {@code pack} with {@code offset} if packed. */
  static void encodeLocation(ObjectNode n, Location l) {
    n.put("digest", l.blob().toString());
    n.put("size", l.size());
    l.pack().ifPresent(p -> {
      n.put("pack", p.toString());
      n.put("offset", l.offset());
    });
  }

  static Location decodeLocation(JsonNode b, String where) {
    Digest d = digest(b, "digest", where);
    long size = Manifests.whole(b, "size", 0, Long.MAX_VALUE, where);
    if (b.has("pack")) {
      return Location.packed(d, size, digest(b, "pack", where), Manifests.whole(b, "offset", 0, Long.MAX_VALUE, where));
    }
    return Location.loose(d, size);
  }

  static Digest digest(JsonNode n, String field, String where) {
    try {
      return Digest.parse(n.path(field).asText());
    } catch (RuntimeException e) {
      throw new IntegrityException(where + " has no valid '" + field + "' digest: found " + n.get(field), e);
    }
  }
}
