package dev.ama;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Holds on versions in a local cache that processes sharing the cache see: while any process
 * holds a version, nobody evicts it. A hold is a shared lock on the version's lock file, {@code
 * locks/<hex>.lock} in the cache; an evictor takes an exclusive lock on the same file, without
 * waiting, and leaves the version alone if it cannot. The operating system drops a killed
 * process's locks with it, so a crash never leaves a version held forever.
 *
 * <p>POSIX locks belong to the process, not to a channel, and closing any channel on a file drops
 * every lock the process holds on it. So one JVM opens each lock file once: holds in the same JVM
 * share one channel and one shared lock, counted, and an eviction in the same JVM first checks that
 * count instead of opening the file. The registry is static because two clients of one JVM may
 * share a cache folder.
 *
 * <p>Where the file system offers no locks (some network mounts), holds count only within this
 * JVM; docs/serving.md says so.
 */
final class CachePins {
  /** Lock files this JVM has open, by absolute path; guarded by itself. */
  private static final Map<Path, Open> OPEN = new HashMap<>();

  private CachePins() {}

  /** One lock file this JVM has open: the holds counted on it, or an eviction in progress. */
  private static final class Open {
    final FileChannel channel;
    final FileLock lock;
    int holds;

    Open(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }
  }

  /** A hold on one version; closing it more than once does nothing. */
  static final class Hold implements AutoCloseable {
    private final Path lockFile;
    private final Digest version;
    private final Runnable released;
    private boolean closed;

    private Hold(Path lockFile, Digest version, Runnable released) {
      this.lockFile = lockFile;
      this.version = version;
      this.released = released;
    }

    /** The version held. */
    Digest version() {
      return version;
    }

    @Override
    public void close() {
      synchronized (OPEN) {
        if (closed) {
          return;
        }
        closed = true;
        Open open = OPEN.get(lockFile);
        if (open != null && --open.holds == 0) {
          OPEN.remove(lockFile);
          closeQuietly(open);
        }
      }
      released.run();
    }

    @Override
    public String toString() {
      return "hold on " + version.shortHex();
    }
  }

  static Path lockFile(Path cacheRoot, Digest version) {
    return cacheRoot.resolve("locks").resolve(version.hex() + ".lock").toAbsolutePath().normalize();
  }

  /**
   * Holds a version, waiting while another process evicts it (an eviction takes milliseconds).
   *
   * @throws IOException if the lock file cannot be created or locked
   */
  static Hold hold(Path cacheRoot, Digest version) throws IOException {
    return hold(cacheRoot, version, () -> {});
  }

  /**
   * Holds a version as {@link #hold(Path, Digest)} does, and runs {@code released} once the hold
   * is closed (outside the registry's monitor), such as a prune that the hold kept from freeing
   * space.
   */
  static Hold hold(Path cacheRoot, Digest version, Runnable released) throws IOException {
    Path file = lockFile(cacheRoot, version);
    synchronized (OPEN) {
      Open open = OPEN.get(file);
      if (open == null) {
        // A stat, not createDirectories, on the warm path: that one throws and catches inside.
        if (!Files.isDirectory(file.getParent())) {
          Files.createDirectories(file.getParent());
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = channel.lock(0, Long.MAX_VALUE, true);
        } catch (UnsupportedOperationException e) {
          // No locks on this file system: the hold counts in this JVM only.
          lock = null;
        } catch (IOException | RuntimeException e) {
          channel.close();
          throw e;
        }
        open = new Open(channel, lock);
      }
      return counted(file, version, open, released);
    }
  }

  private static Hold counted(Path file, Digest version, Open open, Runnable released) {
    open.holds++;
    OPEN.put(file, open);
    return new Hold(file, version, released);
  }

  /** Whether this JVM holds a version; other processes' holds are seen only by {@link #evict}. */
  static boolean heldHere(Path cacheRoot, Digest version) {
    synchronized (OPEN) {
      Open open = OPEN.get(lockFile(cacheRoot, version));
      return open != null && open.holds > 0;
    }
  }

  /**
   * Whether any process holds a version now: this JVM (counted), or another one (its shared lock
   * keeps this JVM from taking the exclusive lock for a moment). A snapshot for listings and for
   * choosing what to evict; {@link #evict} decides again under the lock.
   *
   * @throws IOException if the lock file exists but cannot be opened
   */
  static boolean heldAnywhere(Path cacheRoot, Digest version) throws IOException {
    Path file = lockFile(cacheRoot, version);
    synchronized (OPEN) {
      if (OPEN.containsKey(file)) {
        return true;
      }
      if (!Files.exists(file)) {
        // A hold creates the file first, so no file means no hold.
        return false;
      }
      try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        try {
          return c.tryLock(0, Long.MAX_VALUE, false) == null;
        } catch (UnsupportedOperationException e) {
          return false;
        }
      }
    }
  }

  /**
   * Runs an eviction of a version if no process holds it, with the version's lock taken so no
   * process can hold it meanwhile. Holds in this JVM wait for the eviction, so it should be short:
   * move the folder aside and unlink its blobs, and delete the moved folder after. Lock files are never deleted (see the body for why); each is
   * an empty file per version ever held.
   *
   * @return whether the eviction ran; false if some process holds the version
   * @throws IOException if the lock file cannot be opened, or the eviction failed
   */
  static boolean evict(Path cacheRoot, Digest version, IoAction eviction) throws IOException {
    Path file = lockFile(cacheRoot, version);
    synchronized (OPEN) {
      if (OPEN.containsKey(file)) {
        return false;
      }
      // Created if missing, so a hold another process starts meanwhile contends for the same file.
      Files.createDirectories(file.getParent());
      try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        FileLock lock;
        try {
          lock = c.tryLock(0, Long.MAX_VALUE, false);
        } catch (UnsupportedOperationException e) {
          lock = null;
          eviction.run();
          return true;
        }
        if (lock == null) {
          return false;
        }
        eviction.run();
        // The lock file stays: a process that opened it and waits for its shared lock would
        // otherwise get a lock on a deleted file, which no later evictor sees. It is empty.
        return true;
      }
    }
  }

  private static void closeQuietly(Open open) {
    try {
      open.channel.close();
    } catch (IOException e) {
      // Closing releases the lock; a failure here leaves nothing to clean up.
    }
  }

  /** An eviction step that may fail with an I/O error. */
  @FunctionalInterface
  interface IoAction {
    void run() throws IOException;
  }
}
