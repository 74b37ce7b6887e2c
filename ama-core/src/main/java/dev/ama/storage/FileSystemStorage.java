package dev.ama.storage;

import dev.ama.internal.BoundedInputStream;
import dev.ama.internal.TempFiles;
import dev.ama.spi.Content;
import dev.ama.spi.NotAnObjectException;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageKeys;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A storage in a directory of any {@link java.nio.file.FileSystem}: one file per key, key
 * segments as directories.
 *
 * <p>Writes go to a temporary file under {@code .ama-tmp/} in the root, are forced to disk, and
 * are then published: {@link #putIfAbsent} with a hard link, which fails atomically if the key
 * exists (on every POSIX filesystem, including NFS), so a key is never replaced; {@link #put}
 * with an atomic rename. The directory holding the new name is then forced to disk too (and so
 * is each new directory's name in its parent), so a write that returned survives a power loss,
 * and writes in the order AMA makes them stay in that order on disk. Writers into one directory
 * at the same time share its fsync. A crash leaves at most a stray temporary file, never a partial
 * object; {@link #sweepTemporaryFiles()} removes those, on the first write of each instance.
 *
 * <p>Only regular files are objects. A symbolic link, FIFO, socket or device at a key is neither
 * followed nor read: {@link #stat}, {@link #open} and {@link #putIfAbsent} refuse it with a {@link
 * NotAnObjectException} naming the key (a FIFO would block a reader forever, a link could lead to
 * {@code /dev/zero} or out of the store), and listings skip it. The root itself may be a symbolic
 * link (a store on another disk), and so may a directory inside it; only the last segment of a key
 * is checked, which is where a foreign file would have to sit to be read as an object.
 *
 * <p>Listing walks the directory under the prefix and sorts the keys in memory, which is fast for
 * the prefixes AMA lists.
 */
public final class FileSystemStorage implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(FileSystemStorage.class);
  private static final String TMP_DIR = ".ama-tmp";
  /**
   * How long a file under {@code .ama-tmp/} of a name other than {@link TempFiles}' is kept even
   * when no writer locks it: AMA versions that wrote such names created the file, then locked it.
   */
  public static final Duration TEMP_GRACE = Duration.ofMinutes(1);
  private final Path root;
  private final String location;
  private final AtomicBoolean swept = new AtomicBoolean();
  private final DirectorySync syncs;
  /**
   * Directories whose own names this instance has made durable, up to the root: each is synced in
   * its parent once per instance, whoever created it (another writer may not have synced it yet).
   */
  private final Set<Path> durableDirectories = ConcurrentHashMap.newKeySet();
  /** Beyond this many, the set starts over: a re-sync costs an fsync, never correctness. */
  private static final int DURABLE_DIRECTORIES_KEPT = 100_000;

  /** A storage rooted at a directory, which is created on the first write if missing. */
  public FileSystemStorage(Path root) {
    this(root, null);
  }

  /** With a given directory fsync, for tests that count or delay it; null for the platform's. */
  FileSystemStorage(Path root, DirectorySync.Fsync fsync) {
    this.root = root.toAbsolutePath().normalize();
    this.syncs = new DirectorySync(fsync == null ? DirectorySync.forRoot(this.root) : fsync);
    // Path.toUri() ends in '/' only when the directory exists: fixed once, and always with '/', so
    // a store that vanished (an unmounted share) keeps the location its cache entries are kept under.
    String uri = this.root.toUri().toString();
    this.location = uri.endsWith("/") ? uri : uri + "/";
  }

  /** The root directory. */
  public Path root() {
    return root;
  }

  @Override
  public String location() {
    return location;
  }

  private Path path(String key) {
    StorageKeys.check(key);
    Path p = root;
    for (String segment : key.split("/")) {
      p = p.resolve(segment);
    }
    return p;
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    return attributes(key, path(key)).map(a -> new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant()));
  }

  /**
   * The attributes of the regular file at a key, read without following a link; empty if nothing or
   * a directory (a prefix of other keys) is there.
   *
   * @throws NotAnObjectException if a link or a special file is there
   */
  private Optional<BasicFileAttributes> attributes(String key, Path p) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException | NotDirectoryException e) {
      return Optional.empty();
    } catch (FileSystemException e) {
      if (beneathAFile(p)) {
        return Optional.empty();
      }
      throw e;
    }
    if (a.isRegularFile()) {
      return Optional.of(a);
    }
    if (a.isDirectory()) {
      return Optional.empty();
    }
    throw new NotAnObjectException(location(), key, a.isSymbolicLink()
        ? "a symbolic link (" + p + ")" : "a special file such as a FIFO, socket or device (" + p + ")");
  }

  @Override
  public InputStream open(String key) throws IOException {
    return Channels.newInputStream(channel(key));
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    StorageKeys.checkRange(offset, length);
    SeekableByteChannel ch = channel(key);
    try {
      long size = ch.size();
      if (offset > size) {
        throw new EOFException("offset " + offset + " is beyond the end of " + key + " (" + size + " bytes) in " + location());
      }
      ch.position(offset);
      return BoundedInputStream.limit(Channels.newInputStream(ch), length);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private SeekableByteChannel channel(String key) throws IOException {
    Path p = path(key);
    if (attributes(key, p).isEmpty()) {
      throw new ObjectNotFoundException(location(), key);
    }
    try {
      // NOFOLLOW_LINKS as well: a link swapped in after the check is refused, not followed.
      return Files.newByteChannel(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException | NotDirectoryException e) {
      throw new ObjectNotFoundException(location(), key);
    } catch (FileSystemException e) {
      if (beneathAFile(p)) {
        throw new ObjectNotFoundException(location(), key);
      }
      throw e;
    }
  }

  /**
   * Whether a segment above {@code p} is a file. Then {@code p} is simply missing, though the
   * operating system reports "not a directory" rather than "no such file".
   */
  private boolean beneathAFile(Path p) {
    for (Path q = p.getParent(); q != null && q.startsWith(root) && !q.equals(root); q = q.getParent()) {
      if (Files.isRegularFile(q)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Creates the directories above a key and makes their names durable, refusing clearly when an
   * object is in the way.
   */
  private void createParents(String key, Path target) throws IOException {
    Path dir = target.getParent();
    if (durableDirectories.contains(dir)) {
      return;
    }
    if (durableDirectories.size() > DURABLE_DIRECTORIES_KEPT) {
      durableDirectories.clear();
    }
    try {
      Files.createDirectories(dir);
    } catch (FileSystemException e) {
      if (e instanceof FileAlreadyExistsException || beneathAFile(target)) {
        throw new IOException("cannot store " + key + " in " + location() + ": a segment of the key is an"
            + " object, and a filesystem store cannot hold an object beneath another object's key ("
            + e.getFile() + "). AMA's store layout never does this; remove the foreign file", e);
      }
      throw e;
    }
    // Top-down would be the creation order, but any order works: each name is durable once its
    // parent is synced after it exists, and all exist now.
    for (Path d = dir; d.startsWith(root) && !durableDirectories.contains(d); d = d.getParent()) {
      Path parent = d.getParent();
      if (parent == null) {
        break;
      }
      syncs.sync(parent);
      durableDirectories.add(d);
    }
  }

  private IOException directoryInTheWay(String key) {
    return new IOException("cannot store " + key + " in " + location() + ": it is a directory holding"
        + " other objects, and a filesystem store cannot hold an object whose key is a prefix of other"
        + " keys. AMA's store layout never does this; check the key");
  }

  @Override
  public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
    StorageKeys.checkPrefix(prefix);
    int slash = prefix.lastIndexOf('/');
    String baseKey = slash < 0 ? "" : prefix.substring(0, slash);
    Path base = baseKey.isEmpty() ? root : path(baseKey);
    List<ObjectInfo> found = new ArrayList<>();
    if (Files.isDirectory(base)) {
      Files.walkFileTree(base, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          if (dir.equals(root.resolve(TMP_DIR))) {
            return FileVisitResult.SKIP_SUBTREE;
          }
          String dirKey = keyOf(dir);
          boolean related = dirKey.isEmpty() || prefix.startsWith(dirKey + "/") || (dirKey + "/").startsWith(prefix);
          return related ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          String key = keyOf(file);
          if (attrs.isRegularFile() && key.startsWith(prefix) && StorageKeys.ORDER.compare(key, startAfter) > 0) {
            found.add(new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
          // A file deleted while we walk is simply no longer listed.
          if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
          }
          throw e;
        }
      });
    }
    found.sort((a, b) -> StorageKeys.ORDER.compare(a.key(), b.key()));
    return found.stream();
  }

  private String keyOf(Path p) {
    Path rel = root.relativize(p);
    StringBuilder key = new StringBuilder();
    for (Path part : rel) {
      if (key.length() > 0) {
        key.append('/');
      }
      key.append(part.toString());
    }
    return key.toString();
  }

  @Override
  public PutOutcome putIfAbsent(String key, Content content) throws IOException {
    Path target = path(key);
    if (attributes(key, target).isPresent()) {
      return PutOutcome.ALREADY_EXISTS;
    }
    try (TempFiles.Writing tmp = writeTemp(content)) {
      createParents(key, target);
      // A hard link fails atomically when the name exists, so racing writers cannot both win.
      Files.createLink(target, tmp.path());
      syncs.sync(target.getParent());
      return PutOutcome.CREATED;
    } catch (FileAlreadyExistsException e) {
      if (Files.isDirectory(target)) {
        throw directoryInTheWay(key);
      }
      return PutOutcome.ALREADY_EXISTS;
    }
  }

  @Override
  public void put(String key, Content content) throws IOException {
    Path target = path(key);
    try (TempFiles.Writing tmp = writeTemp(content)) {
      createParents(key, target);
      if (Files.isDirectory(target)) {
        throw directoryInTheWay(key);
      }
      tmp.moveTo(target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      syncs.sync(target.getParent());
    }
  }

  /**
   * Writes content to a new temporary file under {@code .ama-tmp/} (see {@link TempFiles}: locked
   * by this writer until it is closed, so a sweep in any process leaves it alone), forced to disk.
   * The caller publishes it under its key, then closes it, which removes it if it was not moved.
   */
  private TempFiles.Writing writeTemp(Content content) throws IOException {
    if (swept.compareAndSet(false, true)) {
      sweepQuietly();
    }
    // A root that exists before this instance writes is the user's folder, named long ago; its
    // parent may not even be readable (a mount point), so only a root made here is synced in it.
    if (!durableDirectories.contains(root) && Files.isDirectory(root)) {
      durableDirectories.add(root);
    }
    Path dir = Files.createDirectories(root.resolve(TMP_DIR));
    TempFiles.Writing tmp = TempFiles.create(dir);
    try {
      long copied;
      try (InputStream in = content.openStream(); OutputStream out = tmp.out()) {
        copied = in.transferTo(out);
      }
      tmp.force();
      if (copied != content.length()) {
        throw new IOException("content for " + location() + " yielded " + copied + " bytes but declared " + content.length());
      }
      return tmp;
    } catch (IOException | RuntimeException | Error e) {
      try {
        tmp.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Temporary files under {@code .ama-tmp/}: how many, and their size. */
  public record Temporaries(int files, long bytes) {}

  /**
   * The temporary files under {@code .ama-tmp/} older than {@link #TEMP_GRACE}, without removing
   * or opening any: those of writers killed mid-write, and of very slow live ones. For reports;
   * {@link #sweepTemporaryFiles()} is what removes the abandoned ones.
   */
  public Temporaries temporaryFiles() throws IOException {
    Path dir = root.resolve(TMP_DIR);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return new Temporaries(0, 0);
    }
    Instant before = Instant.now().minus(TEMP_GRACE);
    int files = 0;
    long bytes = 0;
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir)) {
      for (Path p : temps) {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(before)) {
            files++;
            bytes += a.size();
          }
        } catch (NoSuchFileException e) {
          // Published or swept meanwhile.
        }
      }
    }
    return new Temporaries(files, bytes);
  }

  /** What a sweep removed. */
  public record Swept(int files, long bytes) {}

  /**
   * Removes temporary files that writers killed mid-write left under {@code .ama-tmp/}. Each
   * writer, in any process, locks its temporary file until it is published, and a file is removed
   * only when its lock can be taken (see {@link TempFiles}). Files there of other names, left by
   * AMA versions that named them by UUID and locked them only after creating them, are removed
   * under the same rule once older than {@link #TEMP_GRACE}. On a filesystem without locks, a
   * temporary file is removed once nobody has touched it for an hour ({@link
   * TempFiles#UNLOCKED_AGE}). Runs once on the first write of each instance;
   * garbage collection may call it at any time.
   *
   * @return how many files and bytes were removed
   */
  public Swept sweepTemporaryFiles() throws IOException {
    Path dir = root.resolve(TMP_DIR);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return new Swept(0, 0);
    }
    TempFiles.Swept ours = TempFiles.sweep(dir);
    Instant now = Instant.now();
    int files = ours.files();
    long bytes = ours.bytes();
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir)) {
      for (Path p : temps) {
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          continue;
        }
        Instant modified = a.lastModifiedTime().toInstant();
        // Never opened unless regular: opening a FIFO for writing would block.
        if (TempFiles.isTempName(p.getFileName().toString()) || !a.isRegularFile()
            || modified.isAfter(now.minus(TEMP_GRACE))) {
          continue;
        }
        if (TempFiles.removeIfUnlocked(p, true)) {
          files++;
          bytes += a.size();
        }
      }
    }
    return new Swept(files, bytes);
  }

  private void sweepQuietly() {
    try {
      Swept s = sweepTemporaryFiles();
      if (s.files() > 0) {
        LOG.info("removed {} temporary file(s) ({} bytes) left in {} by interrupted writes", s.files(), s.bytes(), location);
      }
    } catch (IOException | RuntimeException e) {
      // Leftovers only cost space; the write itself must not fail because of them.
      LOG.debug("could not sweep temporary files in {}: {}", location, e.toString());
    }
  }

  @Override
  public boolean delete(String key) throws IOException {
    Path p = path(key);
    if (Files.isDirectory(p)) {
      return false;
    }
    try {
      return Files.deleteIfExists(p);
    } catch (FileSystemException e) {
      if (beneathAFile(p)) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public String toString() {
    return "FileSystemStorage[" + root + "]";
  }
}
