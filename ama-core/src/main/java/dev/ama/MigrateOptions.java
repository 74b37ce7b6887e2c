package dev.ama;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a migration of a store to format 2 does; see {@link AssetClient#migrate(MigrateOptions)}
 * and docs/store-format.md. Immutable; start from {@link #dryRun()}.
 */
public final class MigrateOptions {
  private static final Consumer<MigrationReport.Progress> SILENT = p -> {};

  private final boolean write;
  private final Consumer<MigrationReport.Progress> progress;

  private MigrateOptions(boolean write, Consumer<MigrationReport.Progress> progress) {
    this.write = write;
    this.progress = progress;
  }

  /** Reports what a migration would pack and write, and writes nothing. */
  public static MigrateOptions dryRun() {
    return new MigrateOptions(false, SILENT);
  }

  /** The same options, migrating the store instead of only reporting what it would do. */
  public MigrateOptions migrating() {
    return new MigrateOptions(true, progress);
  }

  /**
   * Hears the migration's progress, after every pack it writes (or would write), on the calling
   * thread; for progress lines of a long migration. Defaults to nothing.
   */
  public MigrateOptions progress(Consumer<MigrationReport.Progress> listener) {
    return new MigrateOptions(write, Objects.requireNonNull(listener, "listener"));
  }

  /** Whether the migration writes; otherwise it only reports. */
  public boolean write() {
    return write;
  }

  Consumer<MigrationReport.Progress> progressListener() {
    return progress;
  }

  @Override
  public String toString() {
    return write ? "MigrateOptions[migrating]" : "MigrateOptions[dry run]";
  }
}
