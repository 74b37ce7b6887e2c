package dev.ama;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * The index of a store: empty marker objects whose keys answer questions by listing a prefix
 * (which types exist, which versions hold a blob, which versions ref a version, which aliases have
 * pointed at a version). Every marker is written here and every listing of one is read here.
 *
 * <p>Markers only ever name a manifest that exists (they are written after it) and may name a
 * move that then failed, so readers check what a marker claims where it matters.
 */
final class StoreIndex {
  private static final Content EMPTY = Content.ofBytes(new byte[0]);

  private final Store store;
  private final Tasks tasks;
  private final ContentTable table;

  StoreIndex(Store store, Tasks tasks) {
    this(store, tasks, new ContentTable(store, new UploadRecords(store), tasks));
  }

  /** @param table the content index of format 2 stores */
  StoreIndex(Store store, Tasks tasks, ContentTable table) {
    this.store = store;
    this.tasks = tasks;
    this.table = table;
  }

  /** A version found through the version index, with the time its marker encodes. */
  record VersionKey(Instant createdAt, Digest id) {}

  /** An alias of a type, as the alias-target index names it. */
  record TypeAlias(String type, String alias) {}

  // ---- writing ----

  /**
   * Writes every marker of a stored version, in parallel: its type, its place in the version
   * index, a content-index entry per blob and a lineage edge per ref. Writing them again is
   * harmless, which is how a crashed upload's markers are completed.
   */
  void markVersion(String type, Instant createdAt, Digest id, Collection<Digest> blobs, List<Ref> refs) {
    List<String> keys = new ArrayList<>();
    keys.add(StoreLayout.typeMarker(type));
    keys.add(StoreLayout.versionMarker(type, createdAt, id));
    blobs.forEach(d -> keys.add(StoreLayout.blobUse(d, id)));
    refs.forEach(r -> keys.add(StoreLayout.refUse(r.version(), id)));
    tasks.runAll(keys.stream().map(k -> (Tasks.Action) () -> mark(k)).toList());
  }

  /**
   * The markers of a version in a format 2 store: as {@link #markVersion}, but one marker of its
   * content's identity in place of one per blob (its blobs are in its upload record).
   *
   * @param typeMarked whether the type's marker is known to exist (another version of it is stored)
   */
  void markPackedVersion(String type, Instant createdAt, Digest id, Digest identity, List<Ref> refs, boolean typeMarked) {
    List<String> keys = new ArrayList<>();
    if (!typeMarked) {
      keys.add(StoreLayout.typeMarker(type));
    }
    keys.add(StoreLayout.versionMarker(type, createdAt, id));
    keys.add(StoreLayout.contentUse(identity, id));
    refs.forEach(r -> keys.add(StoreLayout.refUse(r.version(), id)));
    tasks.runAll(keys.stream().map(k -> (Tasks.Action) () -> mark(k)).toList());
  }

  /** Marks that an alias exists and is about to point at a version; written before the move. */
  void markAlias(String type, String alias, Digest version) {
    markAlias(type, alias, version, false);
  }

  /** @param aliasMarked whether the alias's marker is known to exist (it has log entries) */
  void markAlias(String type, String alias, Digest version, boolean aliasMarked) {
    if (!aliasMarked) {
      mark(StoreLayout.aliasMarker(type, alias));
    }
    mark(StoreLayout.aliasTarget(version, type, alias));
  }

  private void mark(String key) {
    store.putIfAbsent(key, EMPTY);
  }

  // ---- reading ----

  /** The asset types, sorted. */
  List<String> types() {
    return childNames(StoreLayout.TYPES_INDEX);
  }

  /** The aliases a type has ever had, sorted. */
  List<String> aliasNames(String type) {
    return childNames(StoreLayout.ALIASES_INDEX + type + "/");
  }

  /** Whether a type has (or had) an alias of this name, in one request. */
  boolean hasAlias(String type, String alias) {
    return store.stat(StoreLayout.aliasMarker(type, alias)).isPresent();
  }

  /** The versions of a type, newest first, lazily; close the stream. */
  Stream<VersionKey> versions(String type) {
    return store.list(StoreLayout.versionsOf(type))
        .map(o -> new VersionKey(StoreLayout.createdAtOf(o.key()), StoreLayout.digestAtEnd(o.key())));
  }

  /**
   * The versions holding a file with these bytes, in key order: from the blob-use markers of a
   * format 1 store, from the content table of a format 2 store.
   */
  List<Digest> holders(Digest blob) {
    return store.packed() ? table.holders(blob) : digestsAtEnd(StoreLayout.blobUsesOf(blob));
  }

  /** Format 2: the versions whose content has this identity (see {@code Publisher}). */
  List<Digest> withContent(Digest identity) {
    return digestsAtEnd(StoreLayout.contentUsesOf(identity));
  }

  /** The versions that ref a version: its downstream lineage, in key order. */
  List<Digest> referrers(Digest target) {
    return digestsAtEnd(StoreLayout.refUsesOf(target));
  }

  /** The aliases that have pointed, or were about to point, at a version. */
  List<TypeAlias> aliasTargets(Digest version) {
    List<TypeAlias> out = new ArrayList<>();
    for (String rest : childNames(StoreLayout.aliasTargetsOf(version))) {
      String[] typeAlias = rest.split("/", 2);
      if (typeAlias.length == 2) {
        out.add(new TypeAlias(typeAlias[0], typeAlias[1]));
      }
    }
    return out;
  }

  private List<Digest> digestsAtEnd(String prefix) {
    try (Stream<ObjectInfo> s = store.list(prefix)) {
      return s.map(o -> StoreLayout.digestAtEnd(o.key())).toList();
    }
  }

  private List<String> childNames(String prefix) {
    try (Stream<ObjectInfo> s = store.list(prefix)) {
      return s.map(o -> o.key().substring(prefix.length())).toList();
    }
  }
}
