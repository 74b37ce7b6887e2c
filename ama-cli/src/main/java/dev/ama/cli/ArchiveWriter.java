package dev.ama.cli;

import dev.ama.LocalFileException;
import dev.ama.internal.TempFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Packs a downloaded folder into one archive for {@code ama download --archive}: each file under
 * its path in the folder, '/'-separated, which is its path in the asset (what serving code that
 * unpacks an archive by fixed names expects). Written to a temporary file beside the target and
 * renamed over it only when complete, so a failure leaves no partial archive under the name.
 * Every entry carries the version's time and a 0644 mode, so one version always packs to the same
 * entries.
 */
final class ArchiveWriter {
  private ArchiveWriter() {}

  /**
   * Writes {@code folder}'s files as an archive at {@code target}.
   *
   * @param replace whether an existing file at {@code target} is replaced (by one rename)
   * @param time the time every entry is stamped with
   * @return the entry names, in the order written (path order)
   * @throws LocalFileException if the folder cannot be read or the archive cannot be written
   */
  static List<String> write(Path folder, ArchiveFormat format, Path target, boolean replace, Instant time) {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new LocalFileException("cannot list the downloaded files in " + folder + ": " + e.getMessage(), e);
    }
    Path parent = target.toAbsolutePath().getParent();
    List<String> names = new ArrayList<>();
    try {
      Files.createDirectories(parent);
      TempFiles.sweep(parent);
      try (TempFiles.Writing temp = TempFiles.create(parent)) {
        try (OutputStream out = new BufferedOutputStream(temp.out(), 1 << 16)) {
          if (format == ArchiveFormat.ZIP) {
            zip(folder, files, out, time, names);
          } else {
            tarGz(folder, files, out, time, names);
          }
        }
        temp.force();
        try {
          temp.moveTo(target, replace
              ? new StandardCopyOption[] {StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING}
              : new StandardCopyOption[] {StandardCopyOption.ATOMIC_MOVE});
        } catch (AtomicMoveNotSupportedException e) {
          temp.moveTo(target, replace ? new StandardCopyOption[] {StandardCopyOption.REPLACE_EXISTING}
              : new StandardCopyOption[0]);
        }
      }
    } catch (IOException e) {
      throw new LocalFileException("cannot write the archive " + target + ": " + e.getMessage()
          + "; nothing was left under that name. Check that its folder is writable and has room", e);
    }
    return names;
  }

  /** Writes one file as one entry of an archive being written. */
  private interface Entries {
    void put(String name, Path file) throws IOException;
  }

  private static void zip(Path folder, List<Path> files, OutputStream out, Instant time, List<String> names)
      throws IOException {
    // Not closed by the caller's stream alone: finish() writes the central directory.
    ZipOutputStream zip = new ZipOutputStream(out);
    each(folder, files, names, (name, f) -> {
      ZipEntry entry = new ZipEntry(name);
      entry.setLastModifiedTime(FileTime.from(time));
      zip.putNextEntry(entry);
      Files.copy(f, zip);
      zip.closeEntry();
    });
    zip.finish();
  }

  private static void tarGz(Path folder, List<Path> files, OutputStream out, Instant time, List<String> names)
      throws IOException {
    GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16);
    TarArchiveOutputStream tar = new TarArchiveOutputStream(gz);
    // PAX headers: names past 100 characters and files past 8 GiB, read by every current tar.
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    each(folder, files, names, (name, f) -> {
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setSize(Files.size(f));
      entry.setMode(0100644);
      entry.setModTime(FileTime.from(time));
      tar.putArchiveEntry(entry);
      Files.copy(f, tar);
      tar.closeArchiveEntry();
    });
    tar.finish();
    gz.finish();
  }

  private static void each(Path folder, List<Path> files, List<String> names, Entries entries) throws IOException {
    for (Path f : files) {
      String name = entryName(folder, f);
      entries.put(name, f);
      names.add(name);
    }
  }

  private static String entryName(Path folder, Path file) {
    List<String> segments = new ArrayList<>();
    folder.relativize(file).forEach(s -> segments.add(s.toString()));
    return String.join("/", segments);
  }
}
