package dev.ama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ama.UploadRecords.Location;
import dev.ama.spi.Content;
import dev.ama.spi.PutOutcome;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The forwarding objects of a format 2 store: when garbage collection repacks a pack whose blobs
 * are partly dead, it copies the live ones into a new pack and, before deleting the old pack,
 * writes {@code index/moves/sha256-<old pack>.json} saying where each of them lives now. Upload
 * records stay as they were written (create-only, keyed by their manifest): a reader that finds a
 * record's pack gone reads its forwarding object instead, one request after a repack and none
 * before (docs/store-format.md, "Repacked packs").
 */
final class PackMoves {
  /**
   * How many forwarding objects a read follows from one location: a pack repacked, its new pack
   * repacked again, and so on. Far beyond what gc writes between two uploads of an alias, and a
   * bound that a damaged store with a cycle of forwarding objects cannot make a reader exceed.
   */
  static final int MAX_HOPS = 16;

  /** A pack's forwarding: the old pack and where each blob kept from it lives now. */
  record Moves(Digest from, Map<Digest, Location> to) {}

  private final Store store;
  /** Forwarding objects never change under their key while they exist. */
  private final Cache<Digest, Optional<Moves>> read = Caffeine.newBuilder().maximumSize(1_024).build();

  PackMoves(Store store) {
    this.store = store;
  }

  /**
   * Writes a forwarding object, create-only.
   *
   * @return whether this call created it; if not, one existed already (a killed gc's), which the
   *     caller must read instead of assuming it says the same
   */
  boolean write(Moves m) {
    PutOutcome o = store.putIfAbsent(StoreLayout.moves(m.from()), Content.ofBytes(encode(m)));
    return o == PutOutcome.CREATED;
  }

  /** The forwarding of a pack, or empty if it was never repacked (or its forwarding was removed). */
  Optional<Moves> of(Digest pack) {
    Optional<Moves> known = read.getIfPresent(pack);
    if (known != null && known.isPresent()) {
      return known;
    }
    String key = StoreLayout.moves(pack);
    Optional<Moves> m = store.readIfExists(key, Store.MAX_MANIFEST_BYTES, "pack forwarding").map(b -> decode(b, key));
    m.filter(x -> x.from().equals(pack)).ifPresent(x -> read.put(pack, m));
    return m.filter(x -> x.from().equals(pack));
  }

  /**
   * Where a blob recorded at {@code at} lives now, following forwarding objects while the pack a
   * location names is gone; {@code exists} says whether a pack is still there.
   *
   * @return the current location, or empty if a pack on the way is gone without forwarding this blob
   */
  Optional<Location> follow(Location at, java.util.function.Predicate<Digest> exists) {
    Location l = at;
    for (int hop = 0; hop <= MAX_HOPS; hop++) {
      if (l.pack().isEmpty() || exists.test(l.pack().get())) {
        return Optional.of(l);
      }
      Optional<Location> next = of(l.pack().get()).map(m -> m.to().get(at.blob()));
      if (next.isEmpty()) {
        return Optional.empty();
      }
      l = next.get();
    }
    return Optional.empty();
  }

  static byte[] encode(Moves m) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode blobs = root.putArray("blobs");
    m.to().values().forEach(l -> UploadRecords.encodeLocation(blobs.addObject(), l));
    root.put("format", Store.FORMAT_V2);
    root.put("from", m.from().toString());
    return Manifests.canonical(root);
  }

  /** Parses a forwarding object strictly; every location it gives is checked when read, as a record's are. */
  static Moves decode(byte[] bytes, String key) {
    String where = "pack forwarding " + key;
    try {
      JsonNode n = Manifests.JSON.readTree(bytes);
      if (n == null || !n.isObject() || !n.path("blobs").isArray()) {
        throw new IntegrityException(where + " is not a pack forwarding object; it was not written by AMA or was"
            + " damaged. Run ama verify, and restore it from a backup");
      }
      Map<Digest, Location> to = new LinkedHashMap<>();
      for (JsonNode b : n.get("blobs")) {
        Location l = UploadRecords.decodeLocation(b, where);
        if (l.pack().isEmpty()) {
          throw new IntegrityException(where + " forwards blob " + l.blob() + " to no pack; gc forwards only to packs."
              + " Run ama verify, and restore it from a backup");
        }
        to.put(l.blob(), l);
      }
      return new Moves(UploadRecords.digest(n, "from", where), to);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IntegrityException ie) {
        throw ie;
      }
      throw new IntegrityException(where + " does not parse (" + e.getMessage() + "); it was not written by AMA or"
          + " was damaged. Run ama verify, and restore it from a backup", e);
    }
  }
}
