package dev.ama.cli;

import dev.ama.InvalidInputException;
import dev.ama.LocalFileException;
import dev.ama.Names;
import dev.ama.NotFoundException;
import dev.ama.spi.StorageOptions;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.InputStreamStatistics;

/**
 * Unpacks the regular files of a zip or tar.gz archive into a scratch folder for {@code ama
 * import}, one entry at a time (never the whole archive in memory), refusing whatever could harm
 * or mislead, before anything is uploaded:
 *
 * <ul>
 *   <li>names that would leave the folder or could not be stored: {@code ..}, absolute paths,
 *       drive letters, backslashes, control characters, empty names ({@link Names#checkPath});
 *       leading {@code ./} is dropped, as {@code tar -C dir .} writes it;
 *   <li>two entries with one name, or a name that is both a file and a folder: an unpacker would
 *       keep one silently;
 *   <li>symbolic links (they may point anywhere, and an asset holds files), devices, FIFOs and
 *       other special entries; a tar hard link to an earlier file of the archive is that file's
 *       bytes again and is imported as a copy, any other is refused;
 *   <li>zip bombs: more entries than {@link Limits#maxFiles}, more unpacked bytes than {@link
 *       Limits#maxBytes}, or bytes expanding more than {@link Limits#maxRatio} times (counted as
 *       they are read, not as the archive claims).
 * </ul>
 *
 * Each file is written under a numbered name, never under the archive's name, so no name in the
 * archive reaches the local file system.
 */
final class ArchiveReader {
  /** Bytes an entry (zip) or the stream (tar.gz) may expand to before the ratio is checked. */
  static final long RATIO_GRACE = 1L << 20;

  /** How far an archive may expand; each is an option of {@code ama import}. */
  record Limits(long maxBytes, long maxFiles, long maxRatio) {
    static final String DEFAULT_MAX_BYTES = "64GiB";
    static final long DEFAULT_MAX_FILES = 100_000;
    static final long DEFAULT_MAX_RATIO = 200;

    static Limits defaults() {
      return new Limits(StorageOptions.parseSize(DEFAULT_MAX_BYTES), DEFAULT_MAX_FILES, DEFAULT_MAX_RATIO);
    }
  }

  /**
   * What was unpacked.
   *
   * @param files the path in the asset of each file and where its bytes are, in path order
   * @param notes what the user should know that is not an error, such as hard links imported as copies
   * @param left the files that --include or --exclude left out, each with why
   */
  record Unpacked(SortedMap<String, Path> files, long bytes, List<String> notes, List<AddFilter.Left> left) {}

  private final Path archive;
  private final Path into;
  private final Limits limits;
  private final PathGlobs globs;
  private final List<AddFilter.Left> left = new ArrayList<>();
  private final Set<String> leftOut = new HashSet<>();
  private final SortedMap<String, Path> files = new TreeMap<>();
  private final Map<String, Integer> entryOf = new HashMap<>();
  private final Set<String> folders = new HashSet<>();
  private final List<String> notes = new ArrayList<>();
  private long total;
  private int entries;

  private ArchiveReader(Path archive, Path into, Limits limits, PathGlobs globs) {
    this.archive = archive;
    this.into = into;
    this.limits = limits;
    this.globs = globs;
  }

  /**
   * Unpacks an archive's files into an empty folder, those the globs choose; the others are
   * checked as strictly (a hostile name is refused all the same) but not written.
   *
   * @throws NotFoundException if the archive does not exist
   * @throws InvalidInputException if the archive is damaged, truncated, hostile or over a limit;
   *     the message names the entry, the cause and the fix
   * @throws NotFoundException if an include pattern matches no file of the archive
   * @throws LocalFileException if the folder cannot be written
   */
  static Unpacked unpack(Path archive, ArchiveFormat format, Path into, Limits limits, PathGlobs globs) {
    if (!Files.isRegularFile(archive)) {
      throw new NotFoundException("cannot import " + archive + ": " + (Files.exists(archive, LinkOption.NOFOLLOW_LINKS)
          ? "it is not a regular file" : "no such file") + "; give the path of a " + ArchiveFormat.NAMES + " file");
    }
    ArchiveReader reader = new ArchiveReader(archive, into, limits, globs);
    if (format == ArchiveFormat.ZIP) {
      reader.zip();
    } else {
      reader.tarGz();
    }
    List<String> unused = globs.unusedIncludes();
    if (!unused.isEmpty()) {
      throw new NotFoundException(PathGlobs.unusedMessage(unused, "of " + archive) + ". Nothing was uploaded;"
          + " correct the pattern (it matches the names in the archive, as 'ama download --include' does)");
    }
    if (reader.files.isEmpty()) {
      throw reader.refused("it holds no files" + (reader.entries > 0 ? " (only " + reader.entries + " folder entries)" : ""),
          "check that it is the archive you meant");
    }
    return new Unpacked(Collections.unmodifiableSortedMap(reader.files), reader.total, List.copyOf(reader.notes),
        List.copyOf(reader.left));
  }

  private void zip() {
    ZipFile zip;
    try {
      zip = ZipFile.builder().setPath(archive).get();
    } catch (IOException e) {
      throw damaged("it is not a zip archive, or it is truncated", e);
    }
    try (zip) {
      for (Enumeration<ZipArchiveEntry> all = zip.getEntriesInPhysicalOrder(); all.hasMoreElements(); ) {
        ZipArchiveEntry entry = all.nextElement();
        int index = countEntry();
        String raw = entry.getName();
        int type = entry.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? entry.getUnixMode() & 0170000 : 0;
        if (entry.isUnixSymlink()) {
          throw refused(describe(raw) + " is a symbolic link", LINKS);
        }
        if (entry.isDirectory() || type == 0040000) {
          folder(raw, index);
          continue;
        }
        if (type != 0 && type != 0100000) {
          throw refused(describe(raw) + " is " + special(type) + ", not a regular file", SPECIALS);
        }
        String path = fileName(raw, index);
        if (chosenOut(path)) {
          continue;
        }
        if (!zip.canReadEntryData(entry)) {
          throw refused(describe(raw) + " is encrypted or compressed with a method ama cannot read (method "
              + entry.getMethod() + ")", "re-create the archive with plain deflate, as zip does by default");
        }
        checkDeclaredSize(entry.getSize());
        try (InputStream in = zip.getInputStream(entry)) {
          Counting unpacked = new Counting(in);
          LongSupplier compressed = in instanceof InputStreamStatistics s ? s::getCompressedCount : entry::getCompressedSize;
          write(raw, path, unpacked, unpacked::count, compressed, "its compressed size");
        } catch (IOException e) {
          throw damaged(describe(raw) + " cannot be read", e);
        }
      }
    } catch (IOException e) {
      throw damaged("it cannot be read", e);
    }
  }

  private void tarGz() {
    try (InputStream file = Files.newInputStream(archive)) {
      Counting compressed = new Counting(new BufferedInputStream(file, 1 << 16));
      InputStream unpacked;
      try {
        unpacked = new GZIPInputStream(compressed, 1 << 16);
      } catch (IOException e) {
        throw damaged("it is not gzip-compressed, or it is truncated", e);
      }
      TarArchiveInputStream tar = new TarArchiveInputStream(unpacked);
      while (true) {
        TarArchiveEntry entry;
        try {
          entry = tar.getNextEntry();
        } catch (IOException e) {
          throw damaged("it is not a tar archive, or it is damaged or truncated", e);
        }
        if (entry == null) {
          break;
        }
        int index = countEntry();
        String raw = entry.getName();
        if (entry.isDirectory()) {
          folder(raw, index);
        } else if (entry.isSymbolicLink()) {
          throw refused(describe(raw) + " is a symbolic link to '" + TerminalText.safe(entry.getLinkName()) + "'", LINKS);
        } else if (entry.isLink()) {
          hardLink(raw, entry.getLinkName(), index);
        } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
          throw refused(describe(raw) + " is " + (entry.isFIFO() ? "a FIFO" : entry.isBlockDevice() ? "a block device"
              : "a character device") + ", not a regular file", SPECIALS);
        } else if (entry.isFile()) {
          String path = fileName(raw, index);
          if (chosenOut(path)) {
            continue; // the next getNextEntry() skips its bytes
          }
          checkDeclaredSize(entry.getSize());
          // The file bytes written so far, not the stream's: tar's headers and padding are mostly
          // zeros that compress far better than data, and would make an archive of small files look like a bomb.
          write(raw, path, tar, () -> total, compressed::count, "the archive's compressed size");
        } else {
          throw refused(describe(raw) + " is a tar entry of type '" + (char) entry.getLinkFlag()
              + "', not a regular file", SPECIALS);
        }
      }
    } catch (IOException e) {
      throw damaged("it cannot be read", e);
    }
  }

  private static final String LINKS = "ama import stores regular files only, and a link may point outside the"
      + " archive; re-create the archive with the files the links point at (tar -h, zip without -y)";
  private static final String SPECIALS = "ama import stores regular files only; re-create the archive without it";

  private int countEntry() {
    entries++;
    if (entries > limits.maxFiles()) {
      throw refused("it holds more than " + limits.maxFiles() + " entries, the limit that keeps an archive bomb from"
          + " filling the disk", "if the archive is trusted, raise the limit with --max-files N");
    }
    return entries;
  }

  /** A folder entry: nothing to write, but no file may have its name. */
  private void folder(String raw, int index) {
    String path = stripped(raw);
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.isEmpty()) {
      return; // "./" or "/" alone: the archive's root
    }
    checkName(raw, path);
    if (files.containsKey(path)) {
      throw refused(describe(raw) + " is a folder, and an earlier entry a file of that name; an unpacker would keep"
          + " one of them", CLASH);
    }
    markFolders(path + "/x", raw);
  }

  /** The path in the asset of a file entry, checked: safe, and the archive's only entry of that name. */
  private String fileName(String raw, int index) {
    String path = stripped(raw);
    checkName(raw, path);
    Integer earlier = entryOf.putIfAbsent(path, index);
    if (earlier != null) {
      throw refused("it holds '" + TerminalText.safe(path) + "' twice (entries #" + earlier + " and #" + index
          + "); an unpacker would keep the last one silently", "re-create the archive with each name once");
    }
    if (folders.contains(path)) {
      throw refused(describe(raw) + " is a file, and earlier entries put files in a folder of that name", CLASH);
    }
    markFolders(path, raw);
    return path;
  }

  private void markFolders(String path, String raw) {
    for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
      String folder = path.substring(0, slash);
      if (files.containsKey(folder)) {
        throw refused(describe(raw) + " is inside '" + TerminalText.safe(folder) + "', which an earlier entry made a"
            + " file", CLASH);
      }
      folders.add(folder);
    }
  }

  /** Drops leading "./" (tar -C dir . writes it), which names the same file. */
  private static String stripped(String raw) {
    String path = raw;
    while (path.startsWith("./")) {
      path = path.substring(2);
    }
    return path;
  }

  private void checkName(String raw, String path) {
    try {
      Names.checkPath(path);
    } catch (InvalidInputException e) {
      throw refused(describe(raw) + " has an unsafe name (" + e.getMessage().replaceFirst("^unsafe file path .* in asset: ", "")
          + "); an unpacker could write it outside its folder", "re-create the archive with relative '/'-separated names");
    }
  }

  private void hardLink(String raw, String target, int index) {
    String path = fileName(raw, index);
    if (leftOut.contains(stripped(target)) || chosenOut(path)) {
      return;
    }
    Path bytes = files.get(stripped(target));
    if (bytes == null) {
      throw refused(describe(raw) + " is a hard link to '" + TerminalText.safe(target) + "', which is not an earlier"
          + " file of the archive", "re-create the archive with the file itself");
    }
    files.put(path, bytes);
    total += sizeOf(bytes);
    if (total > limits.maxBytes()) {
      throw tooLarge();
    }
    notes.add("'" + TerminalText.safe(path) + "' is a hard link to '" + TerminalText.safe(stripped(target))
        + "' in the archive: imported as a copy of it");
  }

  /** Whether --exclude (of the file or a folder it is in) or --include leaves a file out; recorded if so. */
  private boolean chosenOut(String path) {
    Optional<String> why = Optional.empty();
    for (int slash = path.indexOf('/'); slash >= 0 && why.isEmpty(); slash = path.indexOf('/', slash + 1)) {
      why = globs.folderLeftOut(path.substring(0, slash));
    }
    if (why.isEmpty()) {
      why = globs.fileLeftOut(path);
    }
    why.ifPresent(w -> {
      left.add(new AddFilter.Left(TerminalText.safe(path), w));
      leftOut.add(path);
    });
    return why.isPresent();
  }

  private void checkDeclaredSize(long size) {
    // The archive's own claim fails a too-large entry early; the bytes are still counted as they come.
    if (size > 0 && total + size > limits.maxBytes()) {
      throw tooLarge();
    }
  }

  private void write(String raw, String path, InputStream in, LongSupplier unpacked, LongSupplier compressed,
      String base) {
    Path target = into.resolve(String.format("f%07d", files.size() + 1));
    byte[] buffer = new byte[1 << 16];
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          throw damaged(describe(raw) + " cannot be read (the archive is damaged or truncated)", e);
        }
        if (n < 0) {
          break;
        }
        total += n;
        if (total > limits.maxBytes()) {
          throw tooLarge();
        }
        long expanded = unpacked.getAsLong();
        long packed = Math.max(1, compressed.getAsLong());
        if (expanded > RATIO_GRACE && expanded / packed > limits.maxRatio()) {
          throw refused(describe(raw) + " expands more than " + limits.maxRatio() + " times " + base
              + " (an archive bomb?)", "if the archive is trusted, raise the limit with --max-ratio N");
        }
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new LocalFileException("cannot write " + target + " while importing " + archive + ": " + e.getMessage()
          + "; check the free space of the cache folder, or set AMA_CACHE to a larger one", e);
    }
    files.put(path, target);
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new LocalFileException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  private InvalidInputException tooLarge() {
    return refused("its files add up to more than " + limits.maxBytes() + " bytes unpacked, the limit that keeps an"
        + " archive bomb from filling the disk", "if the archive is trusted, raise the limit with --max-size SIZE (such as 200GiB)");
  }

  private static String describe(String raw) {
    return "the entry '" + TerminalText.safe(raw) + "'";
  }

  private static String special(int type) {
    switch (type) {
      case 0010000:
        return "a FIFO";
      case 0020000:
        return "a character device";
      case 0060000:
        return "a block device";
      case 0140000:
        return "a socket";
      default:
        return "a special file (mode " + Integer.toOctalString(type) + ")";
    }
  }

  private InvalidInputException refused(String why, String fix) {
    return new InvalidInputException("cannot import " + archive + ": " + why + ". Nothing was uploaded; " + fix);
  }

  private static final String CLASH = "re-create the archive without the clash";

  private InvalidInputException damaged(String why, IOException e) {
    return new InvalidInputException("cannot import " + archive + ": " + why + " (" + e.getMessage() + "). Nothing was"
        + " uploaded; check the file (download or copy it again)", e);
  }

  /** Counts the bytes read through it. */
  private static final class Counting extends FilterInputStream {
    private long count;

    Counting(InputStream in) {
      super(in);
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += skipped;
      return skipped;
    }
  }
}
