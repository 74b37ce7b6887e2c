package dev.ama.cli;

import dev.ama.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the working folder is preparing to upload: the asset type from {@code ama init}, the files
 * from {@code ama add}, the alias, refs, description and labels from {@code ama set} and {@code
 * ama add ref}, plus what was uploaded last. Kept in {@code .ama/stage.json} by {@link
 * StageStore}; mutable, used by one command at a time.
 */
final class Stage {
  /** A file to upload: where it sits in the asset and where it is read from. */
  record StagedFile(String path, String source) {
    StagedFile {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * A ref to add at upload: by alias, resolved to the alias's version when {@code ama upload} runs,
   * or pinned to the version a selector named when it was staged ({@code ama add ref --version}),
   * keeping the alias the selector named, if any, for display.
   */
  record StagedRef(String type, Optional<String> alias, Optional<Digest> version) {
    StagedRef {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(alias, "alias");
      Objects.requireNonNull(version, "version");
      if (alias.isEmpty() && version.isEmpty()) {
        throw new IllegalArgumentException("a ref needs an alias or a version");
      }
    }

    /** A ref by alias, resolved when uploading. */
    StagedRef(String type, String alias) {
      this(type, Optional.of(alias), Optional.empty());
    }

    /** A ref pinned to a version now. */
    static StagedRef pinned(String type, Optional<String> alias, Digest version) {
      return new StagedRef(type, alias, Optional.of(version));
    }

    @Override
    public String toString() {
      return type + alias.map(a -> "/" + a).orElse("") + version.map(v -> " pinned to " + v).orElse("");
    }
  }

  /** The last successful upload from this folder. */
  record LastUpload(String type, Optional<String> alias, String version, Instant at) {}

  private Optional<String> type = Optional.empty();
  private final SortedMap<String, StagedFile> files = new TreeMap<>();
  private Optional<String> alias = Optional.empty();
  private final List<StagedRef> refs = new ArrayList<>();
  private Optional<String> description = Optional.empty();
  private final SortedMap<String, String> labels = new TreeMap<>();
  private Optional<LastUpload> lastUpload = Optional.empty();

  /** The asset type being prepared, empty before {@code ama init}. */
  Optional<String> type() {
    return type;
  }

  /** The staged files by their path in the asset. */
  SortedMap<String, StagedFile> files() {
    return Collections.unmodifiableSortedMap(files);
  }

  Optional<String> alias() {
    return alias;
  }

  List<StagedRef> refs() {
    return Collections.unmodifiableList(refs);
  }

  Optional<String> description() {
    return description;
  }

  SortedMap<String, String> labels() {
    return Collections.unmodifiableSortedMap(labels);
  }

  Optional<LastUpload> lastUpload() {
    return lastUpload;
  }

  /** Whether anything would be lost by starting over: files, an alias, refs or metadata. */
  boolean hasPendingWork() {
    return !files.isEmpty() || alias.isPresent() || !refs.isEmpty() || description.isPresent() || !labels.isEmpty();
  }

  /** Starts a new asset of a type, forgetting everything staged but the last upload. */
  void start(String newType) {
    clearPending();
    type = Optional.of(newType);
  }

  void addFile(StagedFile file) {
    files.put(file.path(), file);
  }

  boolean removeFile(String path) {
    return files.remove(path) != null;
  }

  void alias(String value) {
    alias = Optional.of(value);
  }

  void description(String value) {
    description = value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** Sets a label; an empty value removes it. */
  void label(String key, String value) {
    if (value.isEmpty()) {
      labels.remove(key);
    } else {
      labels.put(key, value);
    }
  }

  /** Adds a ref unless the same one is staged already; returns whether it was added. */
  boolean addRef(StagedRef ref) {
    if (refs.contains(ref)) {
      return false;
    }
    refs.add(ref);
    return true;
  }

  /**
   * Records a successful upload of what {@code uploaded} held when the upload began, and clears
   * exactly that: files, alias, refs, description and labels staged or changed since stay for the
   * next version, and nothing is cleared if a new asset was started meanwhile. The type stays.
   */
  void uploaded(Stage uploaded, LastUpload upload) {
    lastUpload = Optional.of(upload);
    if (!type.equals(uploaded.type)) {
      return;
    }
    uploaded.files.forEach(files::remove);
    if (alias.equals(uploaded.alias)) {
      alias = Optional.empty();
    }
    refs.removeAll(uploaded.refs);
    if (description.equals(uploaded.description)) {
      description = Optional.empty();
    }
    uploaded.labels.forEach(labels::remove);
  }

  void lastUpload(LastUpload upload) {
    lastUpload = Optional.of(upload);
  }

  private void clearPending() {
    files.clear();
    alias = Optional.empty();
    refs.clear();
    description = Optional.empty();
    labels.clear();
  }
}
