package dev.ama.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Writes real zip and tar.gz archives for tests, hostile ones included: any entry name, the same
 * name twice, links and devices. commons-compress writes what it is told, where the JDK's
 * ZipOutputStream would refuse a duplicate name.
 */
final class TestArchives {
  private TestArchives() {}

  /** One entry: a file with bytes, or a link or special entry (tar link flag or zip Unix mode). */
  record Entry(String name, byte[] content, byte tarFlag, int zipMode, String linkTarget) {
    static Entry file(String name, String content) {
      return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    static Entry file(String name, byte[] content) {
      return new Entry(name, content, TarConstants.LF_NORMAL, 0100644, null);
    }

    static Entry folder(String name) {
      return new Entry(name, new byte[0], TarConstants.LF_DIR, 040755, null);
    }

    static Entry symlink(String name, String target) {
      return new Entry(name, target.getBytes(StandardCharsets.UTF_8), TarConstants.LF_SYMLINK, 0120777, target);
    }

    static Entry hardLink(String name, String target) {
      return new Entry(name, new byte[0], TarConstants.LF_LINK, 0100644, target);
    }

    static Entry charDevice(String name) {
      return new Entry(name, new byte[0], TarConstants.LF_CHR, 020644, null);
    }
  }

  static Path zip(Path file, Entry... entries) throws IOException {
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(Files.newOutputStream(file))) {
      for (Entry e : entries) {
        ZipArchiveEntry entry = new ZipArchiveEntry(e.name());
        entry.setUnixMode(e.zipMode());
        zip.putArchiveEntry(entry);
        zip.write(e.content());
        zip.closeArchiveEntry();
      }
    }
    return file;
  }

  static Path tarGz(Path file, Entry... entries) throws IOException {
    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file));
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Entry e : entries) {
        TarArchiveEntry entry = new TarArchiveEntry(e.name(), e.tarFlag(), true);
        if (e.linkTarget() != null) {
          entry.setLinkName(e.linkTarget());
        }
        if (e.tarFlag() == TarConstants.LF_NORMAL) {
          entry.setSize(e.content().length);
        }
        tar.putArchiveEntry(entry);
        if (e.tarFlag() == TarConstants.LF_NORMAL) {
          tar.write(e.content());
        }
        tar.closeArchiveEntry();
      }
    }
    return file;
  }

  /** The first {@code keep} bytes of an archive, as a download cut short leaves it. */
  static Path truncated(Path file, Path to, double keep) throws IOException {
    byte[] all = Files.readAllBytes(file);
    byte[] part = new byte[(int) (all.length * keep)];
    System.arraycopy(all, 0, part, 0, part.length);
    return Files.write(to, part);
  }
}
