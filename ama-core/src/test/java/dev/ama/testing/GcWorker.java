package dev.ama.testing;

import dev.ama.AssetClient;
import dev.ama.GcOptions;
import dev.ama.GcReport;
import dev.ama.spi.ForwardingStorage;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A separate process that runs a deleting garbage collection on a filesystem store, for tests that
 * kill it with {@code kill -9} at random moments.
 *
 * <p>Usage: {@code GcWorker <storeDir> <cacheDir> <keepLast> <msPerDelete>}. It prints {@code
 * READY} once its client is open (so the test's random delay measures the gc alone), then runs
 * the gc, each delete slowed by {@code msPerDelete} so that kills land among the deletions too,
 * printing {@code DELETING} at its first delete, and prints {@code DONE <manifests> <blobs> <markers>}. Exit 0 on success, 1 on any error.
 */
public final class GcWorker {
  private GcWorker() {}

  /** Runs one gc; see the class comment for the arguments. */
  public static void main(String[] args) {
    try (FileSystemStorage fs = new FileSystemStorage(Path.of(args[0]))) {
      int keepLast = Integer.parseInt(args[2]);
      long msPerDelete = Long.parseLong(args[3]);
      java.util.concurrent.atomic.AtomicBoolean announced = new java.util.concurrent.atomic.AtomicBoolean();
      ForwardingStorage slow = new ForwardingStorage(fs) {
        @Override
        public boolean delete(String key) throws IOException {
          if (announced.compareAndSet(false, true)) {
            System.out.println("DELETING");
            System.out.flush();
          }
          try {
            Thread.sleep(msPerDelete);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return super.delete(key);
        }
      };
      try (AssetClient client = AssetClient.builder().storage(slow).user("gc").cache(Path.of(args[1])).concurrency(2)
          .build()) {
        System.out.println("READY");
        System.out.flush();
        GcReport r = client.gc(GcOptions.dryRun().deleting().keepLast(keepLast));
        System.out.println("DONE " + r.collectable().manifests() + " " + r.collectable().blobs() + " "
            + r.collectable().markers());
        System.out.flush();
      }
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }
}
