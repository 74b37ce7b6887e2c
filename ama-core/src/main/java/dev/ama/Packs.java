package dev.ama;

import dev.ama.UploadRecords.Location;
import dev.ama.spi.Content;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;

/**
 * Sends the blobs of an upload to a format 2 store: small blobs together as packs, large ones as
 * loose objects, and none that the store is known to hold. A pack is built in memory from the
 * files, each checked against the digest it was hashed to, and written create-only under the
 * digest of its bytes, so a retried upload that builds the same pack writes nothing new.
 */
final class Packs {
  /**
   * Blobs below this size are packed. Above it a blob's own request costs little beside its
   * transfer time, and a ranged read of a pack would save nothing (docs/store-format.md).
   */
  static final long SMALL_BLOB = 1L << 20;
  /** A pack is closed before it would grow past this; see docs/store-format.md for the choice. */
  static final long PACK_BYTES = 8L << 20;

  private final Store store;
  private final Transfers transfers;
  private final Tasks tasks;
  /** Packs in memory at once, across the uploads of this client. */
  private final Semaphore building;

  Packs(Store store, Transfers transfers, Tasks tasks, int concurrency) {
    this.store = store;
    this.transfers = transfers;
    this.tasks = tasks;
    this.building = new Semaphore(Math.max(2, Math.min(concurrency, 8)));
  }

  /**
   * Sends the blobs the store does not hold yet and returns where every one of them lives.
   *
   * @param known blobs the store holds, by digest, with their locations (leased by the caller)
   * @return a location per distinct blob of {@code blobs}, in their order
   */
  List<Location> upload(Collection<Transfers.Source> blobs, Map<Digest, Location> known) {
    Set<Digest> present = presentPacks(blobs, known);
    List<Location> out = new ArrayList<>();
    List<Callable<List<Location>>> sends = new ArrayList<>();
    List<Transfers.Source> pack = new ArrayList<>();
    long packed = 0;
    for (Transfers.Source s : blobs) {
      Location at = known.get(s.asset().digest());
      if (at != null && at.size() == s.asset().size() && at.pack().filter(present::contains).isPresent()) {
        out.add(at);
        transfers.skippedUpload(s);
      } else if (s.asset().size() >= SMALL_BLOB) {
        sends.add(() -> {
          transfers.uploadBlob(s);
          return List.of(Location.loose(s.asset().digest(), s.asset().size()));
        });
      } else {
        if (packed + s.asset().size() > PACK_BYTES && !pack.isEmpty()) {
          List<Transfers.Source> full = List.copyOf(pack);
          sends.add(() -> writePack(full));
          pack.clear();
          packed = 0;
        }
        pack.add(s);
        packed += s.asset().size();
      }
    }
    if (!pack.isEmpty()) {
      List<Transfers.Source> last = List.copyOf(pack);
      sends.add(() -> writePack(last));
    }
    tasks.run(sends).forEach(out::addAll);
    return out;
  }

  /**
   * The packs holding known blobs of this upload that are still in the store: one request per
   * distinct pack, not per file. An alias must never name a version whose pack is missing, so the
   * blobs of a pack that went missing (damage) are sent again; a known loose blob goes through the
   * loose path, which checks it as format 1 does.
   */
  private Set<Digest> presentPacks(Collection<Transfers.Source> blobs, Map<Digest, Location> known) {
    Set<Digest> packs = new TreeSet<>();
    for (Transfers.Source s : blobs) {
      Location at = known.get(s.asset().digest());
      if (at != null) {
        at.pack().ifPresent(packs::add);
      }
    }
    List<Digest> ordered = List.copyOf(packs);
    List<Boolean> exists = tasks.run(ordered.stream()
        .map(p -> (Callable<Boolean>) () -> store.stat(Store.packKey(p)).isPresent()).toList());
    Set<Digest> present = new HashSet<>();
    for (int i = 0; i < ordered.size(); i++) {
      if (exists.get(i)) {
        present.add(ordered.get(i));
      }
    }
    return present;
  }

  /** Builds one pack from files, each checked against its digest, and writes it create-only. */
  private List<Location> writePack(List<Transfers.Source> files) {
    building.acquireUninterruptibly();
    try {
      long total = files.stream().mapToLong(s -> s.asset().size()).sum();
      byte[] bytes = new byte[Math.toIntExact(total)];
      int at = 0;
      List<long[]> offsets = new ArrayList<>();
      for (Transfers.Source s : files) {
        int size = Math.toIntExact(s.asset().size());
        read(s, bytes, at, size);
        offsets.add(new long[] {at, size});
        at += size;
      }
      Digest pack = Digest.sha256(bytes);
      store.putIfAbsent(Store.packKey(pack), Content.ofBytes(bytes));
      List<Location> out = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        Transfers.Source s = files.get(i);
        out.add(Location.packed(s.asset().digest(), s.asset().size(), pack, offsets.get(i)[0]));
        transfers.sent(s);
      }
      return out;
    } finally {
      building.release();
    }
  }

  /**
   * Reads a file into its place in a pack and checks it is still the content it was hashed to:
   * a pack is named by its bytes, so a file changed since would be stored under a wrong digest.
   * A change shows in the file's stamp (size, times, inode) unless it fell within one tick of the
   * file system's clock; for those, the bytes are compared with the CRC32C taken when this upload
   * hashed them (a miss is one chance in 2^32), or hashed again when the digest came from the hash
   * cache. The check against the digest itself stays with the reader, which verifies every blob.
   */
  private static void read(Transfers.Source s, byte[] into, int at, int size) {
    try (InputStream in = Files.newInputStream(s.file())) {
      int n = in.readNBytes(into, at, size);
      boolean longer = in.read() >= 0;
      if (n != size || longer || !Transfers.unchanged(s.file(), s.stamp()) || !sameBytes(s, into, at, size)) {
        throw Transfers.changedWhileUploading(s.file(), null);
      }
    } catch (IOException e) {
      throw new LocalFileException("cannot read file " + s.file() + " while it was being uploaded (" + e.getMessage()
          + "); nothing was published. Check the file and its disk, then upload again", e);
    }
  }

  /** Whether {@code size} bytes at {@code at} are the ones {@code s} was named from; see {@link #read}. */
  static boolean sameBytes(Transfers.Source s, byte[] bytes, int at, int size) throws IOException {
    if (s.crc32c() != Transfers.Source.NO_CRC) {
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(bytes, at, size);
      return crc.getValue() == s.crc32c();
    }
    return HashingInputStream.sha256(new ByteArrayInputStream(bytes, at, size)).equals(s.asset().digest());
  }
}
