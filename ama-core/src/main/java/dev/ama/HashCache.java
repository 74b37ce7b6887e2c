package dev.ama;

import dev.ama.internal.TempFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Remembers the digests of local files by path, size, modification time, change time and inode, so unchanged
 * files are never hashed twice. One small table per folder, under {@code hashes/} in the local
 * cache, read once per upload.
 *
 * <p>A file modified within {@link #RACY_WINDOW} of being hashed is not remembered: its
 * modification time may not change when it is written again in the same clock tick (the "racy
 * git" problem), so only the hash itself would notice.
 */
final class HashCache {
  static final java.time.Duration RACY_WINDOW = java.time.Duration.ofSeconds(2);

  /**
   * What was known of a file when it was hashed: size, modification time, change time and inode.
   * The change time ({@code unix:ctime}) is what catches an edit whose modification time was set
   * back ({@code touch -d}, {@code rsync -t}): no program can set it. Where the file system offers
   * no change time (Windows, some network mounts) it is {@link #NO_CTIME} and the stamp is size,
   * modification time and file key only; {@code --rehash} is the remedy there.
   *
   * @param changedNanos the change time in nanoseconds since the epoch, or {@link #NO_CTIME}
   */
  record Stamp(long size, long modifiedNanos, long changedNanos, String inode) {
    static final long NO_CTIME = Long.MIN_VALUE;

    static Stamp of(Path file) throws IOException {
      if (file.getFileSystem().supportedFileAttributeViews().contains("unix")) {
        // One stat call for all four, as the basic view alone would be.
        Map<String, Object> a = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,fileKey");
        Object key = a.get("fileKey");
        return new Stamp((Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")),
            nanos((FileTime) a.get("ctime")), key == null ? "-" : key.toString());
      }
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      Object key = a.fileKey();
      return new Stamp(a.size(), nanos(a.lastModifiedTime()), NO_CTIME, key == null ? "-" : key.toString());
    }

    private static long nanos(FileTime t) {
      Instant i = t.toInstant();
      return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    Instant modified() {
      return Instant.ofEpochSecond(0, modifiedNanos);
    }

    /** The stamp as tab-separated columns, as the tables store it. */
    String line() {
      return size + "\t" + modifiedNanos + "\t" + changedNanos + "\t" + inode;
    }
  }

  private record Entry(Stamp stamp, Digest digest) {}

  private final Path root;
  private final Map<Path, Map<String, Entry>> tables = new ConcurrentHashMap<>();
  private final Map<Path, Boolean> dirty = new ConcurrentHashMap<>();
  private final AtomicBoolean swept = new AtomicBoolean();

  HashCache(Path cacheRoot) {
    this.root = cacheRoot.resolve("hashes");
  }

  /** The remembered digest of a file, if its stamp still matches. */
  Optional<Digest> lookup(Path file, Stamp stamp) {
    Path abs = file.toAbsolutePath().normalize();
    Entry e = table(abs.getParent()).get(name(abs));
    return e != null && e.stamp.equals(stamp) ? Optional.of(e.digest) : Optional.empty();
  }

  /** Remembers a digest computed now for a file with this stamp. */
  void remember(Path file, Stamp stamp, Digest digest, Instant hashedAt) {
    if (!stamp.modified().isBefore(hashedAt.minus(RACY_WINDOW))) {
      return;
    }
    Path abs = file.toAbsolutePath().normalize();
    if (name(abs).contains("\t") || name(abs).contains("\n")) {
      return;
    }
    table(abs.getParent()).put(name(abs), new Entry(stamp, digest));
    dirty.put(abs.getParent(), true);
  }

  /** Writes the tables that changed; failures only cost a re-hash next time. */
  void save() {
    for (Path folder : List.copyOf(dirty.keySet())) {
      dirty.remove(folder);
      StringBuilder sb = new StringBuilder();
      table(folder).forEach((name, e) ->
          sb.append(e.stamp.line()).append('\t').append(e.digest).append('\t').append(name).append('\n'));
      try {
        Files.createDirectories(root);
        if (swept.compareAndSet(false, true)) {
          TempFiles.sweep(root);
        }
        try (TempFiles.Writing tmp = TempFiles.create(root); OutputStream out = tmp.out()) {
          out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
          tmp.moveTo(tableFile(folder), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
      } catch (IOException e) {
        // The table is an accelerator; the next upload hashes these files again.
      }
    }
  }

  private static String name(Path abs) {
    Path n = abs.getFileName();
    return n == null ? "" : n.toString();
  }

  private Path tableFile(Path folder) {
    return root.resolve(Digest.sha256(folder.toString().getBytes(StandardCharsets.UTF_8)).hex() + ".tsv");
  }

  private Map<String, Entry> table(Path folder) {
    return tables.computeIfAbsent(folder, f -> {
      Map<String, Entry> m = new ConcurrentHashMap<>();
      try {
        for (String line : Files.readAllLines(tableFile(f), StandardCharsets.UTF_8)) {
          // Tables of AMA versions without the change time have five columns: skipped, so hashed again.
          String[] p = line.split("\t", 6);
          if (p.length == 6) {
            try {
              m.put(p[5], new Entry(
                  new Stamp(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]), p[3]), Digest.parse(p[4])));
            } catch (IllegalArgumentException e) {
              // A damaged line is skipped; its file is hashed again.
            }
          }
        }
      } catch (NoSuchFileException e) {
        // Nothing remembered for this folder yet.
      } catch (IOException e) {
        return new ConcurrentHashMap<>(new HashMap<>());
      }
      return m;
    });
  }
}
