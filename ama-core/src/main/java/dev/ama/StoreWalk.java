package dev.ama;

import dev.ama.spi.ObjectInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Every object of a store, by listing its prefixes, with each key parsed into what it stands for:
 * alias logs, manifests, blobs and index markers. Whole-store work ({@code verify}, {@code gc})
 * starts here instead of probing: one listing costs one request per page of keys (a thousand on
 * S3), where a stat per object would cost one each.
 *
 * <p>A key is recognized only if writing what it was parsed into gives the same key back through
 * {@link Store} and {@link StoreLayout}, which own the layout; anything else under AMA's prefixes
 * (a blob under the wrong two-digit folder, a stray file) is handed to the caller's {@code
 * unrecognized} consumer, never guessed at. Listings carry each object's size and modification
 * time, which garbage collection's grace period needs. Needs a storage that can list.
 */
final class StoreWalk {
  private final Store store;

  StoreWalk(Store store) {
    this.store = store;
  }

  /** A blob or a manifest as listed: its digest and what the listing says of it. */
  record Stored(Digest id, ObjectInfo info) {}

  /**
   * The keys of one alias's log as listed: its entries by position, and its {@code HEAD} hint if
   * present. Positions are those listed; a gap (a missing entry) is the caller's to judge.
   */
  record AliasLogKeys(String type, String alias, TreeMap<Long, ObjectInfo> entries, Optional<ObjectInfo> head) {}

  /** An index marker, parsed; see docs/store-format.md for what each kind says. */
  sealed interface Marker {
    ObjectInfo info();
  }

  /** {@code index/types/<type>}. */
  record TypeMarker(ObjectInfo info, String type) implements Marker {}

  /** {@code index/aliases/<type>/<alias>}. */
  record AliasMarker(ObjectInfo info, String type, String alias) implements Marker {}

  /** {@code index/versions/<type>/<time>-<digest>}. */
  record VersionMarker(ObjectInfo info, String type, Instant createdAt, Digest version) implements Marker {}

  /** {@code index/blobs/<blob>/<version>}: {@code version} holds a file with these bytes. */
  record BlobUse(ObjectInfo info, Digest blob, Digest version) implements Marker {}

  /** {@code index/refs/<target>/<source>}: {@code source} refs {@code target}. */
  record RefUse(ObjectInfo info, Digest target, Digest source) implements Marker {}

  /** {@code index/targets/<version>/<type>/<alias>}: the alias has pointed, or was about to point, at it. */
  record AliasTarget(ObjectInfo info, Digest version, String type, String alias) implements Marker {}

  /** Format 2: {@code index/contents/<identity>/<version>}: {@code version} has this content. */
  record ContentUse(ObjectInfo info, Digest identity, Digest version) implements Marker {}

  /** Format 2: {@code index/uploads/<time>-<version>.json}, the version's upload record (not an empty marker). */
  record UploadRecordKey(ObjectInfo info, Instant createdAt, Digest version) implements Marker {}

  /** Format 2: a content table commit or shard, {@code index/commits/…} or {@code index/tables/…}. */
  record TableObject(ObjectInfo info) implements Marker {}

  /** Format 2: {@code index/moves/<pack>.json}, where gc moved the live blobs of a repacked pack. */
  record PackForwarding(ObjectInfo info, Digest pack) implements Marker {}

  private static final java.util.regex.Pattern TABLE_KEY = java.util.regex.Pattern.compile(
      "index/(commits/[0-9]{10}\\.json|tables/[0-9]{10}/(all|[0-9a-f]{1,2})-sha256-[0-9a-f]{64}\\.json)");

  /** Format 2: the packs, in key order, lazily; close the stream. */
  Stream<Stored> packs(Consumer<ObjectInfo> unrecognized) {
    return digests(Store.PACKS, "", Store::packKey, unrecognized);
  }

  /** The blobs, in key order, lazily; close the stream. */
  Stream<Stored> blobs(Consumer<ObjectInfo> unrecognized) {
    return digests(Store.BLOBS, "", Store::blobKey, unrecognized);
  }

  /** The manifests, in key order, lazily; close the stream. */
  Stream<Stored> manifests(Consumer<ObjectInfo> unrecognized) {
    return digests(Store.MANIFESTS, ".json", Store::manifestKey, unrecognized);
  }

  private Stream<Stored> digests(
      String prefix, String suffix, java.util.function.Function<Digest, String> keyOf, Consumer<ObjectInfo> unrecognized) {
    return store.list(prefix).flatMap(o -> {
      Optional<Digest> d = digestBeforeSuffix(o.key(), suffix).filter(id -> keyOf.apply(id).equals(o.key()));
      if (d.isEmpty()) {
        unrecognized.accept(o);
        return Stream.empty();
      }
      return Stream.of(new Stored(d.get(), o));
    });
  }

  private static Optional<Digest> digestBeforeSuffix(String key, String suffix) {
    String name = StoreLayout.lastSegment(key);
    if (!name.endsWith(suffix)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Digest.sha256Hex(name.substring(0, name.length() - suffix.length())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Every alias log, sorted by type and alias. Held in memory: a store has far fewer alias entries
   * than blobs, and grouping needs a log's keys together.
   */
  List<AliasLogKeys> aliasLogs(Consumer<ObjectInfo> unrecognized) {
    Map<String, AliasLogKeys> logs = new LinkedHashMap<>();
    try (Stream<ObjectInfo> s = store.list(StoreLayout.ALIASES)) {
      s.forEach(o -> {
        String[] parts = o.key().substring(StoreLayout.ALIASES.length()).split("/", -1);
        if (parts.length != 3 || !Names.isValidType(parts[0]) || !Names.isValidAlias(parts[1])) {
          unrecognized.accept(o);
          return;
        }
        String type = parts[0];
        String alias = parts[1];
        Optional<Long> seq = seqOf(parts[2]).filter(n -> StoreLayout.aliasEntry(type, alias, n).equals(o.key()));
        if (seq.isEmpty() && !parts[2].equals(StoreLayout.HEAD)) {
          unrecognized.accept(o);
          return;
        }
        AliasLogKeys log = logs.computeIfAbsent(type + "/" + alias,
            k -> new AliasLogKeys(type, alias, new TreeMap<>(), Optional.empty()));
        if (seq.isPresent()) {
          log.entries().put(seq.get(), o);
        } else {
          logs.put(type + "/" + alias, new AliasLogKeys(type, alias, log.entries(), Optional.of(o)));
        }
      });
    }
    return new ArrayList<>(logs.values());
  }

  private static Optional<Long> seqOf(String name) {
    if (!name.endsWith(".json")) {
      return Optional.empty();
    }
    try {
      long n = Long.parseLong(name.substring(0, name.length() - ".json".length()));
      return n >= 1 ? Optional.of(n) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Every index marker, in key order, lazily; close the stream. */
  Stream<Marker> markers(Consumer<ObjectInfo> unrecognized) {
    return store.list(StoreLayout.INDEX).flatMap(o -> {
      Optional<Marker> m = parseMarker(o);
      if (m.isEmpty()) {
        unrecognized.accept(o);
        return Stream.empty();
      }
      return Stream.of(m.get());
    });
  }

  /** What a key under {@code index/} says, if it is one AMA writes (the key round-trips). */
  static Optional<Marker> parseMarker(ObjectInfo o) {
    String key = o.key();
    try {
      Marker m = parse(o, key);
      return Optional.ofNullable(m).filter(marker -> keyOf(marker).equals(key));
    } catch (RuntimeException e) {
      // Digest.parse, Long.parseLong, name checks: a key AMA did not write.
      return Optional.empty();
    }
  }

  private static Marker parse(ObjectInfo o, String key) {
    if (key.startsWith(StoreLayout.TYPES_INDEX)) {
      String type = key.substring(StoreLayout.TYPES_INDEX.length());
      return Names.isValidType(type) ? new TypeMarker(o, type) : null;
    }
    if (key.startsWith(StoreLayout.ALIASES_INDEX)) {
      String[] p = key.substring(StoreLayout.ALIASES_INDEX.length()).split("/", -1);
      return p.length == 2 && Names.isValidType(p[0]) && Names.isValidAlias(p[1]) ? new AliasMarker(o, p[0], p[1]) : null;
    }
    if (key.startsWith(StoreLayout.VERSIONS_INDEX)) {
      String[] p = key.substring(StoreLayout.VERSIONS_INDEX.length()).split("/", -1);
      return p.length == 2 && Names.isValidType(p[0])
          ? new VersionMarker(o, p[0], StoreLayout.createdAtOf(key), StoreLayout.digestAtEnd(key)) : null;
    }
    if (key.startsWith(StoreLayout.BLOBS_INDEX)) {
      String[] p = key.substring(StoreLayout.BLOBS_INDEX.length()).split("/", -1);
      return p.length == 3 ? new BlobUse(o, Digest.parse(p[0] + ":" + p[1]), StoreLayout.digestAtEnd(key)) : null;
    }
    if (key.startsWith(StoreLayout.REFS_INDEX)) {
      String[] p = key.substring(StoreLayout.REFS_INDEX.length()).split("/", -1);
      return p.length == 3 ? new RefUse(o, Digest.parse(p[0] + ":" + p[1]), StoreLayout.digestAtEnd(key)) : null;
    }
    if (key.startsWith(StoreLayout.CONTENTS_INDEX)) {
      String[] p = key.substring(StoreLayout.CONTENTS_INDEX.length()).split("/", -1);
      return p.length == 3 ? new ContentUse(o, Digest.parse(p[0] + ":" + p[1]), StoreLayout.digestAtEnd(key)) : null;
    }
    if (key.startsWith(StoreLayout.UPLOADS_INDEX) && key.endsWith(".json")) {
      return new UploadRecordKey(o, StoreLayout.uploadedAtOf(key),
          StoreLayout.digestAtEnd(key.substring(0, key.length() - ".json".length())));
    }
    if (TABLE_KEY.matcher(key).matches()) {
      return new TableObject(o);
    }
    if (key.startsWith(StoreLayout.MOVES_INDEX)) {
      return StoreLayout.movedPack(key).map(p -> new PackForwarding(o, p)).orElse(null);
    }
    if (key.startsWith(StoreLayout.TARGETS_INDEX)) {
      String[] p = key.substring(StoreLayout.TARGETS_INDEX.length()).split("/", -1);
      return p.length == 4 && Names.isValidType(p[2]) && Names.isValidAlias(p[3])
          ? new AliasTarget(o, Digest.parse(p[0] + ":" + p[1]), p[2], p[3]) : null;
    }
    return null;
  }

  /** The key a marker is written under; {@link StoreLayout} owns the layout. */
  static String keyOf(Marker m) {
    if (m instanceof TypeMarker t) {
      return StoreLayout.typeMarker(t.type());
    }
    if (m instanceof AliasMarker a) {
      return StoreLayout.aliasMarker(a.type(), a.alias());
    }
    if (m instanceof VersionMarker v) {
      return StoreLayout.versionMarker(v.type(), v.createdAt(), v.version());
    }
    if (m instanceof BlobUse b) {
      return StoreLayout.blobUse(b.blob(), b.version());
    }
    if (m instanceof RefUse r) {
      return StoreLayout.refUse(r.target(), r.source());
    }
    if (m instanceof ContentUse c) {
      return StoreLayout.contentUse(c.identity(), c.version());
    }
    if (m instanceof UploadRecordKey u) {
      return StoreLayout.uploadRecord(u.createdAt(), u.version());
    }
    if (m instanceof TableObject t) {
      return t.info().key();
    }
    if (m instanceof PackForwarding f) {
      return StoreLayout.moves(f.pack());
    }
    AliasTarget t = (AliasTarget) m;
    return StoreLayout.aliasTarget(t.version(), t.type(), t.alias());
  }
}
