package dev.ama.storage;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes new names in directories durable: an fsync of the directory after a file was linked or
 * renamed into it, as POSIX requires for the name itself to survive a power loss.
 *
 * <p>Writers that need the same directory at once share one fsync (a group commit): a writer takes
 * a ticket after its name is in place, and any fsync of that directory that <em>starts</em> after
 * the ticket was taken covers it. So 16 writers into one folder cost a few fsyncs, not 16, and
 * each still returns only once its own name is on disk.
 *
 * <p>Thread-safe. A failed fsync is reported to the writer that ran it; writers waiting on it run
 * their own.
 */
final class DirectorySync {
  /** How one directory is forced to disk; a seam for tests that count or delay it. */
  interface Fsync {
    void force(Path directory) throws IOException;
  }

  /** The real one: {@code fsync(2)} on the directory, as Linux and macOS allow. */
  static final Fsync FSYNC = directory -> {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  };

  /** For filesystems without power loss (Jimfs) or without directory handles (Windows). */
  static final Fsync NONE = directory -> { };

  private final Fsync fsync;
  private final ConcurrentHashMap<Path, Directory> directories = new ConcurrentHashMap<>();

  DirectorySync(Fsync fsync) {
    this.fsync = fsync;
  }

  /**
   * The fsync a store at {@code root} needs: the real one on the default filesystem of a POSIX
   * system, none elsewhere. Windows cannot open a directory as a file; NTFS journals its names.
   */
  static Fsync forRoot(Path root) {
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    return root.getFileSystem() == FileSystems.getDefault() && !windows ? FSYNC : NONE;
  }

  /** Returns once every name put into {@code directory} before this call is durable. */
  void sync(Path directory) throws IOException {
    if (fsync == NONE) {
      return;
    }
    Directory d = directories.computeIfAbsent(directory, k -> new Directory());
    d.sync(directory);
    // An idle entry is dropped so the map stays as small as the writes in flight; a writer that
    // still holds it syncs through it correctly, only without company.
    if (d.idle()) {
      directories.remove(directory, d);
    }
  }

  /** The tickets of one directory; guarded by its own monitor. */
  private final class Directory {
    private long requested;
    private long synced;
    private boolean running;

    void sync(Path directory) throws IOException {
      long ticket;
      synchronized (this) {
        ticket = ++requested;
      }
      while (true) {
        long covers;
        synchronized (this) {
          while (running && synced < ticket) {
            try {
              wait();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException("interrupted while waiting for " + directory + " to be forced to disk", e);
            }
          }
          if (synced >= ticket) {
            return;
          }
          running = true;
          covers = requested;
        }
        boolean done = false;
        try {
          fsync.force(directory);
          done = true;
        } finally {
          synchronized (this) {
            running = false;
            if (done) {
              synced = Math.max(synced, covers);
            }
            notifyAll();
          }
        }
      }
    }

    synchronized boolean idle() {
      return !running && synced == requested;
    }
  }
}
