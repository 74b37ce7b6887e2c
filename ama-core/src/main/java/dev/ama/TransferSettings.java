package dev.ama;

/**
 * How transfers use threads and memory. The defaults suit a laptop or a 2-core CI machine talking
 * to S3; raise {@code concurrency} for many small files over a high-latency link.
 *
 * @param concurrency files hashed, uploaded or downloaded at once
 * @param partSize the size of one ranged read of a large blob; blobs larger than twice this are
 *     fetched in parallel ranges, and blobs at least this large are checked for before upload
 * @param rangeParallelism ranges of one blob in flight at once; memory per large download is
 *     about {@code rangeParallelism × partSize}
 */
public record TransferSettings(int concurrency, int partSize, int rangeParallelism) {
  /** 16 files at once, 8 MiB ranges, 4 ranges in flight. */
  public static final TransferSettings DEFAULTS = new TransferSettings(16, 8 * 1024 * 1024, 4);

  /** Validates the values. */
  public TransferSettings {
    if (concurrency < 1 || rangeParallelism < 1) {
      throw new InvalidInputException("transfer concurrency and range parallelism must be at least 1, were "
          + concurrency + " and " + rangeParallelism);
    }
    if (partSize < 64 * 1024) {
      throw new InvalidInputException("transfer part size must be at least 64 KiB, was " + partSize + " bytes");
    }
  }

  /** A copy with another concurrency. */
  public TransferSettings withConcurrency(int n) {
    return new TransferSettings(n, partSize, rangeParallelism);
  }

  /** A copy with another part size, in bytes. */
  public TransferSettings withPartSize(int bytes) {
    return new TransferSettings(concurrency, bytes, rangeParallelism);
  }

  /** A copy with another number of ranges in flight per blob. */
  public TransferSettings withRangeParallelism(int n) {
    return new TransferSettings(concurrency, partSize, n);
  }
}
