package dev.ama;

import java.util.Objects;

/**
 * How {@link AssetClient#load(String, String, LoadOptions)} loads: which files, and whether it may
 * serve a cached version when the store cannot be reached. Immutable; each method returns a copy.
 *
 * <pre>{@code
 * LoadedAsset model = client.load("rnn_models", "prod",
 *     LoadOptions.defaults().strict().files(FileSelection.include("model.h5")));
 * }</pre>
 */
public final class LoadOptions {
  private static final LoadOptions DEFAULTS = new LoadOptions(false, FileSelection.all());

  private final boolean strict;
  private final FileSelection files;

  private LoadOptions(boolean strict, FileSelection files) {
    this.strict = strict;
    this.files = files;
  }

  /** Every file, and the last loaded version served from the cache when the store is unreachable. */
  public static LoadOptions defaults() {
    return DEFAULTS;
  }

  /**
   * A copy that refuses to serve from the cache when the store cannot be reached: the load throws
   * the {@link StoreException} instead, so a caller that must never serve a possibly outdated
   * version learns it at once.
   */
  public LoadOptions strict() {
    return new LoadOptions(true, files);
  }

  /**
   * A copy loading only the selected files (see {@link FileSelection}); the others are neither
   * fetched nor placed, and {@link LoadedAsset#file} says so if asked for one.
   */
  public LoadOptions files(FileSelection selection) {
    return new LoadOptions(strict, Objects.requireNonNull(selection, "selection"));
  }

  /** Whether serving from the cache when the store is unreachable is refused. */
  public boolean isStrict() {
    return strict;
  }

  /** The files loaded. */
  public FileSelection selection() {
    return files;
  }

  @Override
  public String toString() {
    return "LoadOptions[" + (strict ? "strict, " : "") + files + "]";
  }
}
