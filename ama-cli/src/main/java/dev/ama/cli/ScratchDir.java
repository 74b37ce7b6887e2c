package dev.ama.cli;

import dev.ama.LocalFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A private folder for one command's temporary files ({@code ama import}'s unpacked entries,
 * {@code ama download --archive}'s files before they are packed), under {@code scratch/} of the
 * local cache, which is sized for whole versions as /tmp may not be. Removed on {@link #close()};
 * one left by a killed command is removed by the next one, which knows it is dead because its
 * lock file is no longer locked.
 */
final class ScratchDir implements AutoCloseable {
  private static final String LOCK = ".lock";

  private final Path dir;
  private final FileChannel channel;

  private ScratchDir(Path dir, FileChannel channel) {
    this.dir = dir;
    this.channel = channel;
  }

  /**
   * Creates a scratch folder under {@code <cache>/scratch/}, first removing those of dead commands.
   *
   * @throws LocalFileException if the cache folder cannot be written
   */
  static ScratchDir create(Path cacheDir) {
    Path parent = cacheDir.resolve("scratch");
    try {
      Files.createDirectories(parent);
      sweep(parent);
      Path dir = Files.createTempDirectory(parent, "s");
      FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        channel.tryLock();
      } catch (IOException e) {
        // No locks on this file system: such a folder outlives a kill, as a /tmp file would.
      }
      return new ScratchDir(dir, channel);
    } catch (IOException e) {
      throw new LocalFileException("cannot create a temporary folder under " + parent + ": " + e.getMessage()
          + "; check that the cache folder is writable and has room, or set AMA_CACHE", e);
    }
  }

  /** The folder to write in. */
  Path path() {
    return dir;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // the folder goes anyway
    }
    delete(dir);
  }

  private static void sweep(Path parent) throws IOException {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent)) {
      for (Path d : dirs) {
        if (dead(d)) {
          delete(d);
        }
      }
    }
  }

  /** Whether a scratch folder's lock can be taken: its command is gone. */
  private static boolean dead(Path d) {
    Path lock = d.resolve(LOCK);
    if (!Files.isRegularFile(lock)) {
      return false; // just being created, or not ours
    }
    try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      return l != null;
    } catch (OverlappingFileLockException e) {
      return false; // held in this very JVM
    } catch (IOException e) {
      return false;
    }
  }

  /** Removes a folder and everything in it; also for other temporary folders of the CLI. */
  static void delete(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the temporary folder " + root + ": " + e.getMessage()
          + "; remove it by hand", e);
    }
  }
}
