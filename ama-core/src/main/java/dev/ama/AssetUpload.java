package dev.ama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A new asset version being put together: files, an alias, refs, a description and labels, then
 * {@link #upload()}. Obtained from {@link AssetClient#newAsset(String)}. Not thread-safe; each
 * setter validates its argument at once.
 */
public final class AssetUpload {
  private final Publisher publisher;
  private final String type;
  private final Map<String, Path> files = new LinkedHashMap<>();
  private final List<Publisher.RefRequest> refs = new ArrayList<>();
  private final Map<String, String> labels = new TreeMap<>();
  private Optional<String> alias = Optional.empty();
  private Optional<String> description = Optional.empty();
  private boolean rehash;
  private final List<SigningKey> signers = new ArrayList<>();

  AssetUpload(Publisher publisher, String type) {
    this.publisher = publisher;
    this.type = Names.checkType(type);
  }

  /**
   * Adds files: a regular file under its file name, a folder as all the files below it under
   * paths starting with the folder's name ({@code checkpoints/step-100.bin}).
   *
   * @throws InvalidInputException if a path does not exist, is not readable, or two files would
   *     get the same path in the asset
   */
  public AssetUpload add(Path... paths) {
    for (Path p : paths) {
      Objects.requireNonNull(p, "path");
      Path name = p.toAbsolutePath().normalize().getFileName();
      if (name == null) {
        throw new InvalidInputException("cannot add " + p + ": it has no file name; add the files inside it instead");
      }
      if (Files.isDirectory(p)) {
        addFolder(p, name.toString());
      } else {
        add(name.toString(), p);
      }
    }
    return this;
  }

  private void addFolder(Path folder, String prefix) {
    List<Path> found;
    try (Stream<Path> walk = Files.walk(folder)) {
      found = walk.filter(f -> Files.isRegularFile(f))
          .filter(f -> !folder.relativize(f).toString().startsWith(".ama"))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new InvalidInputException("cannot read folder " + folder + ": " + e.getMessage());
    }
    if (found.isEmpty()) {
      throw new InvalidInputException("folder " + folder + " holds no files; add a folder with files or the files themselves");
    }
    for (Path f : found) {
      StringBuilder rel = new StringBuilder(prefix);
      for (Path part : folder.relativize(f)) {
        rel.append('/').append(part);
      }
      add(rel.toString(), f);
    }
  }

  /**
   * Adds one file under a chosen path inside the asset.
   *
   * @throws InvalidInputException if the file does not exist or is not a regular file, the path
   *     is unsafe or has a name longer than 255 bytes in UTF-8, or another file already has this path
   */
  public AssetUpload add(String pathInAsset, Path file) {
    AssetPaths.check(pathInAsset);
    AssetPaths.tooLongName(pathInAsset).ifPresent(name -> {
      throw new InvalidInputException("cannot add " + file + " as '" + pathInAsset + "': the name "
          + AssetPaths.describeLongName(name) + " is longer than the " + AssetPaths.MAX_NAME_BYTES
          + " bytes a file system holds, so nobody could download it; give it a shorter path with add(pathInAsset, file)");
    });
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
      throw new InvalidInputException("file '" + file + "' does not exist (looked for " + file.toAbsolutePath()
          + "); check the name and the current folder");
    }
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("'" + file + "' is not a regular file; add regular files or folders");
    }
    if (!Files.isReadable(file)) {
      throw new InvalidInputException("file '" + file + "' is not readable; check its permissions");
    }
    Path existing = files.putIfAbsent(pathInAsset, file);
    if (existing != null && !existing.toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize())) {
      throw new InvalidInputException("two files would both be '" + pathInAsset + "' in the asset: " + existing
          + " and " + file + "; give one of them another path with add(pathInAsset, file)");
    }
    return this;
  }

  /** Points an alias at the new version once it is stored, such as {@code my_model}. */
  public AssetUpload alias(String alias) {
    this.alias = Optional.of(Names.checkAlias(alias));
    return this;
  }

  /**
   * Records that the new version was made from the version an alias points at now; the ref is
   * pinned to that version.
   */
  public AssetUpload ref(String type, String alias) {
    refs.add(new Publisher.RefRequest(Names.checkType(type), Optional.of(Names.checkAlias(alias)), Optional.empty()));
    return this;
  }

  /** Records that the new version was made from a given version. */
  public AssetUpload ref(AssetVersion version) {
    refs.add(new Publisher.RefRequest(version.type(), version.alias(), Optional.of(version.version())));
    return this;
  }

  /**
   * Records that the new version was made from a given version, chosen through {@code alias} (such
   * as {@code my_inputs@2}): the ref is pinned to the version and shows the alias.
   */
  public AssetUpload ref(AssetVersion version, String alias) {
    refs.add(new Publisher.RefRequest(version.type(), Optional.of(Names.checkAlias(alias)), Optional.of(version.version())));
    return this;
  }

  /** A free-text description shown by {@code ama show}. */
  public AssetUpload description(String description) {
    this.description = Optional.of(Objects.requireNonNull(description, "description"));
    return this;
  }

  /** A label such as {@code stage=prod}, for listing and filtering. */
  public AssetUpload label(String key, String value) {
    if (key == null || key.isBlank() || key.contains("=")) {
      throw new InvalidInputException("invalid label key " + Names.quote(key) + ": it must be non-empty and contain no '='");
    }
    labels.put(key, Objects.requireNonNull(value, "value"));
    return this;
  }

  /**
   * Hashes every file again instead of taking the digests the hash cache remembers for files that
   * look unchanged (same size, modification time, change time and inode). The new digests are
   * remembered. For files that may have been rewritten in a way no stamp shows, such as on a file
   * system that offers no change time (Windows, some network mounts) with modification times set
   * back, or a hash cache you do not trust; {@code ama upload --rehash} in the CLI.
   */
  public AssetUpload rehash() {
    this.rehash = true;
    return this;
  }

  /**
   * Signs the new version with a key once its manifest is stored, before the alias moves, and signs
   * the alias move with the first key given: a client whose {@link TrustPolicy} trusts the key then
   * loads it. Several keys each sign the version. An identical version that already existed is
   * signed too.
   */
  public AssetUpload sign(SigningKey key) {
    signers.add(Objects.requireNonNull(key, "key"));
    return this;
  }

  /**
   * Stores the files, the manifest, the index entries and the alias move, in that order, so a
   * failure at any step leaves no alias pointing at anything incomplete and a retry completes it.
   * Uploading the same files and refs again under the same alias returns the version the alias
   * points at and changes nothing.
   *
   * @return the stored version
   * @throws InvalidInputException if there are no files
   * @throws NotFoundException if a ref's alias or version is not in the store
   * @throws LocalFileException if a file changed, shrank or vanished while it was read; nothing
   *     was published, upload again once it is complete
   * @throws StoreException if the store failed; retrying is safe
   */
  public AssetVersion upload() {
    if (files.isEmpty()) {
      throw new InvalidInputException("nothing to upload for asset type '" + type + "': add files first");
    }
    // Copies, so a builder reused after upload() cannot change what is being published.
    return publisher.publish(new Publisher.Request(
        type, new LinkedHashMap<>(files), List.copyOf(refs), alias, description, new TreeMap<>(labels), rehash,
        List.copyOf(signers)));
  }
}
