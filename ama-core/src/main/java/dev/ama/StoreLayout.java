package dev.ama;

import java.time.Instant;

/**
 * Where alias logs and index markers live in a store, for {@link AliasLog} and {@link
 * StoreIndex}; blobs, manifests and the format marker are {@link Store}'s. {@code
 * docs/store-format.md} is the normative description. Keys are grouped by concern under top-level
 * prefixes so bucket policies can grant serving read-only access and restrict who may move aliases.
 */
final class StoreLayout {
  static final String ALIASES = "aliases/";
  static final String INDEX = "index/";
  static final String TYPES_INDEX = INDEX + "types/";
  static final String ALIASES_INDEX = INDEX + "aliases/";
  static final String VERSIONS_INDEX = INDEX + "versions/";
  static final String BLOBS_INDEX = INDEX + "blobs/";
  static final String REFS_INDEX = INDEX + "refs/";
  static final String TARGETS_INDEX = INDEX + "targets/";
  static final String HEAD = "HEAD";
  /** Versions garbage collection removed, so history can say "collected" rather than "damaged". */
  static final String COLLECTED_INDEX = INDEX + "collected/";
  /** Garbage collection's coordination objects: uploads' leases, gc runs' plans and clock probes. */
  static final String GC = "gc/";
  static final String GC_LEASES = GC + "leases/";
  static final String GC_PLANS = GC + "plans/";
  static final String GC_PROBES = GC + "probes/";

  /** Format 2: one upload record per version, named by its upload time and id (see {@link UploadRecords}). */
  static final String UPLOADS_INDEX = INDEX + "uploads/";
  /** Format 2: versions with identical content, found in one listing instead of through blob uses. */
  static final String CONTENTS_INDEX = INDEX + "contents/";
  /** Format 2: commit objects of the compacted content table, one per generation. */
  static final String COMMITS_INDEX = INDEX + "commits/";
  /** Format 2: the shards of the compacted content table, under their generation. */
  static final String TABLES_INDEX = INDEX + "tables/";

  /**
   * Format 2: forwarding objects, one per pack that garbage collection repacked, saying where each
   * blob it kept from that pack lives now ({@link PackMoves}).
   */
  static final String MOVES_INDEX = INDEX + "moves/";

  /** Signatures of versions, one object per signing key, beside (not inside) the manifests' prefix. */
  static final String SIGNATURES = "signatures/";

  /** Alias log positions are zero-padded so that key order is numeric order. */
  private static final String SEQ_FORMAT = "%010d";

  private StoreLayout() {}

  static String aliasLog(String type, String alias) {
    return ALIASES + type + "/" + alias + "/";
  }

  static String aliasEntry(String type, String alias, long seq) {
    return aliasLog(type, alias) + String.format(SEQ_FORMAT, seq) + ".json";
  }

  static String aliasHead(String type, String alias) {
    return aliasLog(type, alias) + HEAD;
  }

  static String typeMarker(String type) {
    return TYPES_INDEX + type;
  }

  static String aliasMarker(String type, String alias) {
    return ALIASES_INDEX + type + "/" + alias;
  }

  /**
   * Versions of a type, newest first in key order: the time is stored as its distance to the
   * largest representable millisecond, so later uploads sort earlier.
   */
  static String versionMarker(String type, Instant createdAt, Digest version) {
    return versionsOf(type) + String.format("%019d", Long.MAX_VALUE - createdAt.toEpochMilli())
        + "-" + version.algorithm() + "-" + version.hex();
  }

  /** The upload time encoded in a version marker key. */
  static Instant createdAtOf(String versionMarker) {
    String name = lastSegment(versionMarker);
    return Instant.ofEpochMilli(Long.MAX_VALUE - Long.parseLong(name.substring(0, name.indexOf('-'))));
  }

  static String versionsOf(String type) {
    return VERSIONS_INDEX + type + "/";
  }

  /** Marks that {@code version} holds a file whose bytes have digest {@code blob}. */
  static String blobUse(Digest blob, Digest version) {
    return blobUsesOf(blob) + version.algorithm() + "-" + version.hex();
  }

  static String blobUsesOf(Digest blob) {
    return BLOBS_INDEX + blob.algorithm() + "/" + blob.hex() + "/";
  }

  /** Marks that {@code source} refs {@code target}: the downstream lineage edge. */
  static String refUse(Digest target, Digest source) {
    return refUsesOf(target) + source.algorithm() + "-" + source.hex();
  }

  static String refUsesOf(Digest target) {
    return REFS_INDEX + target.algorithm() + "/" + target.hex() + "/";
  }

  /**
   * Marks that an alias has pointed, or is about to point, at a version: lets "which aliases
   * point here" be answered by checking a few alias heads instead of all of them.
   */
  static String aliasTarget(Digest version, String type, String alias) {
    return aliasTargetsOf(version) + type + "/" + alias;
  }

  static String aliasTargetsOf(Digest version) {
    return TARGETS_INDEX + version.algorithm() + "/" + version.hex() + "/";
  }

  /**
   * A version's upload record: its blobs' locations. Keyed by the version's upload time (in its
   * manifest) so that every record written after a compaction lists after its cut, and by its id.
   */
  static String uploadRecord(Instant createdAt, Digest version) {
    return UPLOADS_INDEX + String.format("%019d", createdAt.toEpochMilli()) + "-" + version.algorithm() + "-"
        + version.hex() + ".json";
  }

  /** The first key an upload record of a version uploaded at {@code at} or later can have. */
  static String uploadRecordsFrom(Instant at) {
    return UPLOADS_INDEX + String.format("%019d", Math.max(0, at.toEpochMilli()));
  }

  /** The upload time encoded in an upload record's key. */
  static Instant uploadedAtOf(String uploadRecord) {
    String name = lastSegment(uploadRecord);
    return Instant.ofEpochMilli(Long.parseLong(name.substring(0, name.indexOf('-'))));
  }

  /** Marks that {@code version} has the content whose identity digest is {@code identity}. */
  static String contentUse(Digest identity, Digest version) {
    return contentUsesOf(identity) + version.algorithm() + "-" + version.hex();
  }

  static String contentUsesOf(Digest identity) {
    return CONTENTS_INDEX + identity.algorithm() + "/" + identity.hex() + "/";
  }

  /** The commit object of a content table generation; zero-padded so key order is generation order. */
  static String tableCommit(long generation) {
    return COMMITS_INDEX + String.format(SEQ_FORMAT, generation) + ".json";
  }

  /**
   * One shard of a content table generation: the blobs whose hex starts with {@code prefix} ("" for
   * all), named by the digest of its bytes too, which its commit records.
   */
  static String tableShard(long generation, String prefix, Digest shard) {
    return TABLES_INDEX + String.format(SEQ_FORMAT, generation) + "/" + (prefix.isEmpty() ? "all" : prefix) + "-"
        + shard.algorithm() + "-" + shard.hex() + ".json";
  }

  /** The forwarding object of a repacked pack: {@code index/moves/<algorithm>-<hex>.json}. */
  static String moves(Digest pack) {
    return MOVES_INDEX + pack.algorithm() + "-" + pack.hex() + ".json";
  }

  /** The old pack a forwarding object's key names, or empty for a key AMA did not write. */
  static java.util.Optional<Digest> movedPack(String key) {
    if (!key.startsWith(MOVES_INDEX) || !key.endsWith(".json")) {
      return java.util.Optional.empty();
    }
    try {
      Digest d = digestAtEnd(key.substring(0, key.length() - ".json".length()));
      return moves(d).equals(key) ? java.util.Optional.of(d) : java.util.Optional.empty();
    } catch (RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  /** Marks that garbage collection removed a version's manifest (written before it is deleted). */
  static String collected(Digest version) {
    return COLLECTED_INDEX + version.algorithm() + "/" + version.hex();
  }

  /** The signatures of a version: {@code signatures/<algorithm>/<h2>/<hex>/}. */
  static String signaturesOf(Digest version) {
    return SIGNATURES + version.algorithm() + "/" + version.hex().substring(0, 2) + "/" + version.hex() + "/";
  }

  /** A version's signature by one key, a DSSE envelope: {@code signatures/<algorithm>/<h2>/<hex>/<key id>.json}. */
  static String signature(Digest version, String keyId) {
    return signaturesOf(version) + keyId + ".json";
  }

  /** The digest at the end of a version, blob-use or ref-use marker key. */
  static Digest digestAtEnd(String key) {
    int dash = key.lastIndexOf('-');
    int before = key.lastIndexOf('-', dash - 1);
    String algorithm = key.substring(Math.max(key.lastIndexOf('/'), before) + 1, dash);
    return Digest.parse(algorithm + ":" + key.substring(dash + 1));
  }

  /** The last segment of a key. */
  static String lastSegment(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }
}
