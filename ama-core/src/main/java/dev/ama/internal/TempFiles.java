package dev.ama.internal;

import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Temporary files that become final files by an atomic rename, and the sweeping of those whose
 * writer died (a killed download, a killed cache fill).
 *
 * <p>A temporary file has a short name of fixed length, {@code .ama-<16 hex>.part} (26 bytes),
 * in the folder of its final file, so it never exceeds the file system's name limit however long
 * the final name is. Its writer holds an exclusive lock on it for as long as it writes: a sweeper
 * removes a temporary file only when it can take that lock itself, so a live writer in another
 * process keeps its file, and a dead writer's lock went with its process. Temporary files this
 * process writes are also kept in a set and never opened by its sweepers, because closing any
 * channel on a file releases every POSIX lock the process holds on it.
 *
 * <p>Where the file system offers no locks (some network mounts), writers write without one and a
 * sweeper removes only files not modified for {@link #UNLOCKED_AGE}; the same age rule removes
 * leftovers of AMA versions that named temporary files {@code .<name>.ama-<uuid>.part} and did not
 * lock them.
 */
public final class TempFiles {
  /** How long an unlockable temporary file must have been left alone before it counts as dead. */
  public static final Duration UNLOCKED_AGE = Duration.ofHours(1);

  private static final Pattern OURS = Pattern.compile("\\.ama-[0-9a-f]{16}\\.part");
  private static final Pattern LEGACY = Pattern.compile("\\..+\\.ama-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\\.part");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

  private TempFiles() {}

  /** Whether a file name is one of AMA's temporary names (current or legacy). */
  public static boolean isTempName(String name) {
    return OURS.matcher(name).matches() || LEGACY.matcher(name).matches();
  }

  /**
   * Creates a new temporary file in a folder, locked by this writer until {@link Writing#close()}.
   *
   * @throws IOException if the folder cannot be written
   */
  public static Writing create(Path folder) throws IOException {
    while (true) {
      byte[] id = new byte[8];
      RANDOM.nextBytes(id);
      Path path = folder.resolve(".ama-" + HexFormat.of().formatHex(id) + ".part");
      LIVE.add(key(path));
      FileChannel channel;
      try {
        channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (IOException | RuntimeException e) {
        LIVE.remove(key(path));
        throw e;
      }
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (IOException e) {
        // No locks on this file system: the age rule protects the file instead.
        return new Writing(path, channel, null);
      }
      // A sweeper of another process may have locked and removed the file between its creation
      // and our lock; then we hold a lock on a file without a name, and start over.
      if (lock != null && Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        return new Writing(path, channel, lock);
      }
      channel.close();
      LIVE.remove(key(path));
    }
  }

  /** One spelling per file, so a sweeper finds a writer of this process however either named the folder. */
  private static Path key(Path p) {
    return p.toAbsolutePath().normalize();
  }

  /**
   * Removes the temporary files in a folder whose writers are gone, and leaves every other file
   * alone. A missing folder has none.
   *
   * @return how many were removed, and their size
   */
  public static Swept sweep(Path folder) {
    int removed = 0;
    long bytes = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, ".*.part")) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (LIVE.contains(key(p)) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        long size = sizeOf(p);
        if (OURS.matcher(name).matches() ? removeIfUnlocked(p, true) : LEGACY.matcher(name).matches() && removeIfOld(p)) {
          removed++;
          bytes += size;
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      // Nothing to sweep.
    } catch (IOException e) {
      // Sweeping is housekeeping: a folder that cannot be listed is reported by the write itself.
    }
    return new Swept(removed, bytes);
  }

  /** What a sweep removed: how many files, and their size. */
  public record Swept(int files, long bytes) {}

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Whether this process is writing a temporary file, which its sweepers must not even open. */
  public static boolean isLive(Path p) {
    return LIVE.contains(key(p));
  }

  /**
   * Removes a file if no process holds a lock on it, taking the lock itself first so that a
   * writer locking after it finds its name gone. A file this process is writing is never opened.
   *
   * @param orIfOld where the file system has no locks: whether to remove it if nobody touched it
   *     for {@link #UNLOCKED_AGE}; else it stays
   * @return whether it was removed
   */
  public static boolean removeIfUnlocked(Path p, boolean orIfOld) {
    if (isLive(p)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(p, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        return false;
      } catch (IOException | UnsupportedOperationException e) {
        return orIfOld && removeIfOld(p);
      }
      if (lock == null) {
        return false;
      }
      // Removed while the lock is held, so a writer that locks after us finds its name gone.
      return Files.deleteIfExists(p);
    } catch (IOException e) {
      return false;
    }
  }

  /** Removes a file that cannot be locked if nobody touched it for {@link #UNLOCKED_AGE}. */
  public static boolean removeIfOld(Path p) {
    try {
      FileTime modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
      return modified.toInstant().isBefore(Instant.now().minus(UNLOCKED_AGE)) && Files.deleteIfExists(p);
    } catch (IOException e) {
      return false;
    }
  }

  /** A temporary file being written: write through {@link #out()}, then {@link #moveTo} or close. */
  public static final class Writing implements Closeable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean moved;

    private Writing(Path path, FileChannel channel, FileLock lock) {
      this.path = path;
      this.channel = channel;
      this.lock = lock;
    }

    /** The temporary file. */
    public Path path() {
      return path;
    }

    /** A stream writing the file; closing it leaves the file open and locked. */
    public OutputStream out() {
      return new FilterOutputStream(Channels.newOutputStream(channel)) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          flush();
        }
      };
    }

    /** Empties the file, to write it again from the start. */
    public void reset() throws IOException {
      channel.truncate(0);
      channel.position(0);
    }

    /** Forces what was written to the storage device, before it is published under a final name. */
    public void force() throws IOException {
      channel.force(true);
    }

    /** Renames the finished file to its final name. */
    public void moveTo(Path target, CopyOption... options) throws IOException {
      Files.move(path, target, options);
      moved = true;
    }

    /** Releases the lock and removes the file unless it was moved. */
    @Override
    public void close() throws IOException {
      try {
        if (lock != null && lock.isValid()) {
          lock.release();
        }
      } catch (IOException e) {
        // Closing the channel releases it as well.
      }
      try {
        channel.close();
        if (!moved) {
          Files.deleteIfExists(path);
        }
      } finally {
        LIVE.remove(key(path));
      }
    }
  }
}
