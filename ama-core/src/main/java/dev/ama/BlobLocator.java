package dev.ama;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ama.UploadRecords.Location;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the blobs of a format 2 store live, for reads: learnt from the upload records of the
 * versions being read (one request per version), and for a blob read on its own (a diff of two
 * files) from the content index. In a format 1 store, and for a blob no record names, a blob is
 * the loose object under its digest.
 */
final class BlobLocator {
  private final Store store;
  private final UploadRecords records;
  private final ContentTable table;
  private final Function<Digest, Optional<AssetVersion>> manifests;
  private final PackMoves moves;
  /** Locations never change for a pack's lifetime; bounded so a client reading many versions stays small. */
  private final Cache<Digest, Location> known = Caffeine.newBuilder().maximumSize(1_000_000).build();

  BlobLocator(Store store, UploadRecords records, ContentTable table, Function<Digest, Optional<AssetVersion>> manifests) {
    this.store = store;
    this.records = records;
    this.table = table;
    this.manifests = manifests;
    this.moves = new PackMoves(store);
  }

  /**
   * Where a blob lives now that the pack {@code at} names is gone: garbage collection repacked it
   * and its forwarding object says (one request per repacked pack, remembered). Records are never
   * rewritten, so this is how every reader finds a moved blob.
   *
   * @return the new location, remembered for later reads, or empty if nothing forwards the blob
   */
  Optional<Location> moved(Location at) {
    Optional<Location> to = at.pack().flatMap(p -> moves.of(p)).map(m -> m.to().get(at.blob()))
        .filter(l -> l.size() == at.size());
    to.ifPresent(l -> known.put(l.blob(), l));
    return to;
  }

  /** Learns where the blobs of versions about to be read live: one request per version not read before. */
  void prime(Collection<AssetVersion> versions) {
    if (!store.packed()) {
      return;
    }
    for (AssetVersion v : versions) {
      records.of(v).ifPresent(r -> remember(r.blobs()));
    }
  }

  void remember(Collection<Location> locations) {
    locations.forEach(l -> known.put(l.blob(), l));
  }

  /** The location learnt for a blob, if any, without a request. */
  Optional<Location> known(Digest blob) {
    return Optional.ofNullable(known.getIfPresent(blob));
  }

  /**
   * Where a blob lives: learnt already, else through the content index and a holder's record;
   * loose if no record names it.
   */
  Location locate(AssetFile f) {
    Location at = known.getIfPresent(f.digest());
    if (at != null || !store.packed()) {
      return at != null ? at : Location.loose(f.digest(), f.size());
    }
    for (Digest holder : table.holders(f.digest(), false)) {
      Optional<AssetVersion> v = manifests.apply(holder);
      if (v.isPresent()) {
        prime(java.util.List.of(v.get()));
        at = known.getIfPresent(f.digest());
        if (at != null) {
          return at;
        }
      }
    }
    return Location.loose(f.digest(), f.size());
  }
}
