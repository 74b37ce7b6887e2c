package dev.ama;

/**
 * Hears how a long upload, download or load is going, for progress bars and logs. Methods are
 * called from the transfer threads, concurrently: implementations must be thread-safe and quick.
 * Every method has an empty default, so a listener overrides only what it shows.
 */
public interface TransferListener {

  /** What a transfer is doing. */
  enum Phase {
    /** Reading local files to compute their digests. */
    HASHING,
    /** Sending file contents to the store. */
    UPLOADING,
    /** Fetching file contents from the store or the local cache. */
    DOWNLOADING,
    /** Reading stored contents back to check their digests ({@code verify --deep}). */
    VERIFYING
  }

  /** A listener that ignores everything. */
  TransferListener NONE = new TransferListener() {};

  /** A phase begins with this many files and bytes to go through. */
  default void started(Phase phase, int files, long bytes) {}

  /** Some bytes went through; called often, from many threads. */
  default void transferred(Phase phase, long bytes) {}

  /**
   * One file is done. {@code skipped} says no bytes had to move: the hash was known, the store
   * already had the blob, or the target already held it.
   */
  default void fileDone(Phase phase, String path, boolean skipped) {}

  /** The phase ended, successfully or not. */
  default void finished(Phase phase) {}
}
