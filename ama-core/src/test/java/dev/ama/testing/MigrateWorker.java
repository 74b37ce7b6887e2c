package dev.ama.testing;

import dev.ama.AssetClient;
import dev.ama.MigrateOptions;
import dev.ama.MigrationReport;
import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.PutOutcome;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A separate process that migrates a filesystem store to format 2, for tests that kill it with
 * {@code kill -9} at random moments.
 *
 * <p>Usage: {@code MigrateWorker <storeDir> <cacheDir> <msPerWrite>}. It prints {@code READY} once
 * its client is open, then migrates, each write slowed by {@code msPerWrite} so that kills land
 * among the writes, printing {@code SWITCHING} as it rewrites the format marker, and prints {@code DONE <versions migrated> <blobs packed>}. Exit 0 on success,
 * 1 on any error.
 */
public final class MigrateWorker {
  private MigrateWorker() {}

  /** Runs one migration; see the class comment for the arguments. */
  public static void main(String[] args) {
    try (FileSystemStorage fs = new FileSystemStorage(Path.of(args[0]))) {
      long msPerWrite = Long.parseLong(args[2]);
      ForwardingStorage slow = new ForwardingStorage(fs) {
        @Override
        public PutOutcome putIfAbsent(String key, Content content) throws IOException {
          pause(msPerWrite);
          return super.putIfAbsent(key, content);
        }

        @Override
        public void put(String key, Content content) throws IOException {
          if (key.equals("ama-store.json")) {
            System.out.println("SWITCHING");
            System.out.flush();
          }
          pause(msPerWrite);
          super.put(key, content);
        }
      };
      try (AssetClient client = AssetClient.builder().storage(slow).user("migrate").cache(Path.of(args[1]))
          .concurrency(2).build()) {
        System.out.println("READY");
        System.out.flush();
        MigrationReport r = client.migrate(MigrateOptions.dryRun().migrating());
        System.out.println("DONE " + r.versionsMigrated() + " " + r.blobsPacked());
        System.out.flush();
      }
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
