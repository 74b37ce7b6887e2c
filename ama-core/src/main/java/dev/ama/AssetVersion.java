package dev.ama;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable asset version: what an upload produced. Its {@link #version() id} is the SHA-256
 * digest of its manifest's canonical JSON, so two versions are equal exactly when their ids are.
 */
public final class AssetVersion {
  private final Digest version;
  private final String type;
  private final List<AssetFile> files;
  private final List<Ref> refs;
  private final String createdBy;
  private final Instant createdAt;
  private final Optional<String> alias;
  private final Optional<String> description;
  private final Map<String, String> labels;

  AssetVersion(
      Digest version,
      String type,
      List<AssetFile> files,
      List<Ref> refs,
      String createdBy,
      Instant createdAt,
      Optional<String> alias,
      Optional<String> description,
      Map<String, String> labels) {
    this.version = Objects.requireNonNull(version);
    this.type = type;
    this.files = List.copyOf(files);
    this.refs = List.copyOf(refs);
    this.createdBy = createdBy;
    this.createdAt = createdAt;
    this.alias = alias;
    this.description = description;
    this.labels = Map.copyOf(labels);
  }

  /** The version's id: the digest of its manifest. */
  public Digest version() {
    return version;
  }

  /** The asset type, such as {@code rnn_models}. */
  public String type() {
    return type;
  }

  /** The files, sorted by path. */
  public List<AssetFile> files() {
    return files;
  }

  /** The file at a path inside the asset, if the version has one. */
  public Optional<AssetFile> file(String path) {
    return files.stream().filter(f -> f.path().equals(path)).findFirst();
  }

  /** The versions this one was made from, pinned by digest. */
  public List<Ref> refs() {
    return refs;
  }

  /** Who uploaded it. */
  public String createdBy() {
    return createdBy;
  }

  /** When it was uploaded. */
  public Instant createdAt() {
    return createdAt;
  }

  /**
   * The alias given when this version was first uploaded, if any. Identical content uploaded
   * again under another alias is the same version, so this is not a list of its aliases (see
   * {@link AssetClient#aliasesOf}), and the alias may have moved since.
   */
  public Optional<String> alias() {
    return alias;
  }

  /** A free-text description, if one was given. */
  public Optional<String> description() {
    return description;
  }

  /** Labels given at upload, such as {@code stage=prod}. */
  public Map<String, String> labels() {
    return labels;
  }

  /** The total size of the files in bytes. */
  public long size() {
    return files.stream().mapToLong(AssetFile::size).sum();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AssetVersion v && v.version.equals(version);
  }

  @Override
  public int hashCode() {
    return version.hashCode();
  }

  @Override
  public String toString() {
    return type + "@" + version.shortHex() + alias.map(a -> " (" + a + ")").orElse("");
  }
}
