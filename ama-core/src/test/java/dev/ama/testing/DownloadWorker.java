package dev.ama.testing;

import dev.ama.AssetClient;
import dev.ama.AssetDownload;
import dev.ama.spi.ForwardingStorage;
import dev.ama.storage.FileSystemStorage;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;

/**
 * A separate process that downloads or loads slowly from a filesystem store, for tests that kill
 * it in the middle with {@code kill -9} and look at what it left.
 *
 * <p>Usage: {@code DownloadWorker download|force|load <storeDir> <cacheDir> <type> <alias> <folder>
 * <msPer16KiB>}. Every blob is read 16 KiB at a time with a pause after each piece. It exits 0 on
 * success, 1 on any error (with the stack trace on stderr).
 */
public final class DownloadWorker {
  private DownloadWorker() {}

  /** Runs one download or load; see the class comment for the arguments. */
  public static void main(String[] args) {
    try {
      if (args.length != 7) {
        throw new IllegalArgumentException(
            "usage: DownloadWorker download|force|load <storeDir> <cacheDir> <type> <alias> <folder> <msPer16KiB>");
      }
      long pause = Long.parseLong(args[6]);
      try (FileSystemStorage fs = new FileSystemStorage(Path.of(args[1]));
          AssetClient client = AssetClient.builder().storage(slow(fs, pause)).user("worker")
              .cache(Path.of(args[2])).concurrency(1).build()) {
        if (args[0].equals("load")) {
          client.load(args[3], args[4]);
        } else {
          AssetDownload d = client.download(args[3], args[4]);
          if (args[0].equals("force")) {
            d.force();
          }
          d.to(Path.of(args[5]));
        }
      }
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }

  /** A storage whose blobs trickle out: 16 KiB per read, then a pause. */
  public static ForwardingStorage slow(FileSystemStorage fs, long pauseMillis) {
    return new ForwardingStorage(fs) {
      @Override
      public InputStream open(String key) throws IOException {
        InputStream in = super.open(key);
        return key.startsWith("blobs/") ? trickle(in, pauseMillis) : in;
      }
    };
  }

  private static InputStream trickle(InputStream in, long pauseMillis) {
    return new FilterInputStream(in) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, Math.min(len, 16 * 1024));
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while trickling");
        }
        return n;
      }
    };
  }
}
