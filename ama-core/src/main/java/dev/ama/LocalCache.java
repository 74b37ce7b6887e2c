package dev.ama;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.Map;
import java.util.EnumSet;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The local, content-addressed cache: blobs by digest (shared by every store, since a digest
 * names the same bytes everywhere), verified manifests, version folders assembled from the blobs
 * for {@link AssetClient#load}, and the last known target of each alias for offline starts. It
 * only gets and puts; where the bytes come from is the caller's business.
 *
 * <p>Everything enters through a temporary file and an atomic rename, so a crash or a concurrent
 * process never leaves a partial file under a final name.
 */
final class LocalCache {
  private final Path root;

  LocalCache(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  private Path blobPath(Digest d) {
    return root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex().substring(0, 2)).resolve(d.hex());
  }

  private Path tmpDir() throws IOException {
    return Files.createDirectories(root.resolve("tmp"));
  }

  /** The cached blob of a file, if the cache has it at the file's size. */
  Optional<Path> blob(AssetFile file) {
    Path target = blobPath(file.digest());
    try {
      return Files.isRegularFile(target) && Files.size(target) == file.size() ? Optional.of(target) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Drops a file's blob from the cache, such as one found damaged. */
  void evict(AssetFile file) {
    try {
      Files.deleteIfExists(blobPath(file.digest()));
    } catch (IOException e) {
      // It stays damaged on disk, but every reader verifies it and falls back to the store.
    }
  }

  /**
   * Puts a file's blob into the cache from a stream, verified on the way; a concurrent put of the
   * same blob by another process is as good as this one.
   *
   * @param source where the stream comes from, for messages
   * @param remedy what to do if the source is damaged, for messages
   * @return the cached blob
   * @throws IntegrityException if the bytes do not match the file's digest; nothing is cached
   * @throws LocalFileException if the cache cannot be written
   */
  Path putBlob(AssetFile file, InputStream in, String source, String remedy) {
    Path target = blobPath(file.digest());
    Path tmp = null;
    try {
      Files.createDirectories(target.getParent());
      tmp = tmpDir().resolve(UUID.randomUUID() + ".part");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        HashingInputStream.copyVerified(in, out, file, source, remedy);
      }
      makeReadOnly(tmp);
      moveIntoPlace(tmp, target);
      return target;
    } catch (IOException e) {
      if (Tasks.isInterruption(e)) {
        throw Tasks.interrupted("caching " + file.path(), e);
      }
      throw new LocalFileException("could not write " + file.path() + " (" + file.digest() + ") to the local cache "
          + root + ": " + e.getMessage() + ". Check free space and permissions, or set AMA_CACHE", e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // A leftover in tmp/ is harmless; the error on its way says more.
        }
      }
    }
  }

  private static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
      // Another process cached the same content first; its copy is as good as ours.
    }
  }

  private static void makeReadOnly(Path p) {
    try {
      Files.setPosixFilePermissions(p, EnumSet.of(
          PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ));
    } catch (UnsupportedOperationException | IOException e) {
      // Best effort: read-only blobs only guard against accidental edits through hard links.
    }
  }

  /** The complete folder of a version, if the cache holds one. */
  Optional<Path> completeFolder(AssetVersion v) {
    Path target = versionPath(v);
    return isComplete(target, v) ? Optional.of(target) : Optional.empty();
  }

  private Path versionPath(AssetVersion v) {
    return root.resolve("versions").resolve(v.version().hex());
  }

  /**
   * The folder holding a version's files under their asset paths, assembled from its cached blobs
   * with hard links (copies where links are not possible).
   *
   * @param blobs every file's cached blob, by digest
   * @return the folder, or empty if one of the blobs left the cache meanwhile (another process
   *     evicted it as damaged); the caller fetches it again and retries
   * @throws LocalFileException if the cache cannot be written
   */
  Optional<Path> versionFolder(AssetVersion v, Map<Digest, Path> blobs) {
    Path target = versionPath(v);
    if (isComplete(target, v)) {
      return Optional.of(target);
    }
    try {
      Path tmp = tmpDir().resolve(UUID.randomUUID().toString());
      try {
        for (AssetFile f : v.files()) {
          Path dest = AssetPaths.resolve(tmp, f.path());
          Files.createDirectories(dest.getParent());
          try {
            linkOrCopy(blobs.get(f.digest()), dest);
          } catch (java.nio.file.NoSuchFileException e) {
            if (!Files.exists(blobs.get(f.digest()))) {
              return Optional.empty();
            }
            throw e;
          }
        }
        Files.createDirectories(target.getParent());
        publishFolder(tmp, target, v);
      } finally {
        if (Files.exists(tmp)) {
          deleteTree(tmp);
        }
      }
      return Optional.of(target);
    } catch (IOException e) {
      throw new LocalFileException("could not assemble " + v + " in the local cache " + root + ": " + e.getMessage()
          + ". Check free space and permissions, or set AMA_CACHE", e);
    }
  }

  /**
   * Renames a finished folder into place without ever deleting one another caller may already be
   * serving: if a complete folder is there, it is used; only an incomplete one (a crash, a user's
   * edit) is moved aside first, and deleted after ours is in place.
   */
  private void publishFolder(Path tmp, Path target, AssetVersion v) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      return;
    } catch (java.nio.file.FileSystemException e) {
      // Linux reports a non-empty target as a plain FileSystemException ("Directory not empty").
      if (!Files.exists(target)) {
        throw e;
      }
    }
    if (isComplete(target, v)) {
      return;
    }
    Path stale = tmpDir().resolve(UUID.randomUUID() + ".stale");
    try {
      Files.move(target, stale, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.NoSuchFileException e) {
      // Someone else moved it aside first; ours can go in now.
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.FileSystemException e) {
      if (!isComplete(target, v)) {
        throw e;
      }
    }
    if (Files.exists(stale)) {
      deleteTree(stale);
    }
  }

  private static boolean isComplete(Path folder, AssetVersion v) {
    try {
      for (AssetFile f : v.files()) {
        Path p = AssetPaths.resolve(folder, f.path());
        if (!Files.isRegularFile(p) || Files.size(p) != f.size()) {
          return false;
        }
      }
      return Files.isDirectory(folder);
    } catch (IOException e) {
      return false;
    }
  }

  static void linkOrCopy(Path from, Path to) throws IOException {
    try {
      Files.createLink(to, from);
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void deleteTree(Path p) throws IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder()).forEach(x -> {
        try {
          Files.deleteIfExists(x);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  // ---- manifests and alias targets, for starting without the store ----

  void saveManifest(Digest id, byte[] bytes) {
    writeSmall(root.resolve("manifests").resolve(id.hex() + ".json"), bytes);
  }

  Optional<AssetVersion> manifest(Digest id) {
    return readSmall(root.resolve("manifests").resolve(id.hex() + ".json"))
        .map(bytes -> Manifests.read(id, bytes, "the local cache " + root));
  }

  void rememberAlias(String location, String type, String alias, Digest version) {
    writeSmall(aliasPath(location, type, alias), version.toString().getBytes(StandardCharsets.US_ASCII));
  }

  Optional<Digest> rememberedAlias(String location, String type, String alias) {
    return readSmall(aliasPath(location, type, alias)).flatMap(b -> {
      try {
        return Optional.of(Digest.parse(new String(b, StandardCharsets.US_ASCII).trim()));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    });
  }

  private Path aliasPath(String location, String type, String alias) {
    String store = Digest.sha256(location.getBytes(StandardCharsets.UTF_8)).shortHex();
    return root.resolve("aliases").resolve(store).resolve(type).resolve(alias);
  }

  private void writeSmall(Path target, byte[] bytes) {
    try {
      Files.createDirectories(target.getParent());
      Path tmp = tmpDir().resolve(UUID.randomUUID() + ".part");
      Files.write(tmp, bytes);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // The cache is an accelerator: failing to remember something only costs a later round trip.
    }
  }

  private static Optional<byte[]> readSmall(Path p) {
    try {
      return Optional.of(Files.readAllBytes(p));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
