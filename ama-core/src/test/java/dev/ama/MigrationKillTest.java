package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.storage.FileSystemStorage;
import dev.ama.testing.MigrateWorker;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration killed with {@code kill -9} at a random moment, in a real child JVM on a filesystem
 * store: the store it leaves verifies clean in whichever format it is, every alias downloads byte
 * for byte with its log, refs and signatures unchanged, and the next run finishes the migration.
 */
class MigrationKillTest {
  private static final int MS_PER_WRITE = 40;

  @TempDir Path tmp;
  private final Map<String, Map<String, byte[]>> expected = new TreeMap<>();

  @Test
  void aMigrationKilledAtRandomMomentsLeavesAConsistentStoreThatTheNextRunFinishes() throws Exception {
    trials(12, 1);
  }

  /** The same, many times: run by bench/reliability.sh, not in CI. */
  @Tag("long")
  @Test
  void aMigrationKilledAtRandomMomentsManyTimes() throws Exception {
    trials(150, 2);
  }

  private void trials(int n, long seed) throws Exception {
    Path template = tmp.resolve("template");
    MigrationTest.buildStore(template, tmp.resolve("src"), expected, SigningKey.generate("release"));
    MigrationTest.Snapshot before;
    try (AssetClient c = client(template, "cache-template")) {
      before = MigrationTest.snapshot(c);
    }
    Random random = new Random(seed);
    long[] full = new long[2];
    Map<String, Integer> outcomes = new TreeMap<>();
    for (int trial = 0; trial < n; trial++) {
      Path store = tmp.resolve("trial-" + trial);
      GcKillTest.copy(template, store);
      // The first trial runs to the end, to learn how long the migration takes here to its switch
      // of the format marker and to its end. Odd trials are then killed before the switch, even ones
      // at any moment.
      long delay = trial == 0 ? -1 : (long) (random.nextDouble() * 1.1 * (trial % 2 == 1 ? full[0] : full[1]));
      long[] took = runAndKill(store, delay);
      if (trial == 0) {
        full[0] = Math.max(took[0], 20);
        full[1] = Math.max(took[1], 20);
      }
      String what = "trial " + trial + " killed " + delay + " ms after READY";
      outcomes.merge(check(store, before, what, trial), 1, Integer::sum);
    }
    System.out.println("migration kill trials: " + n + ", switch after " + full[0] + " ms, whole migration " + full[1]
        + " ms, outcomes " + outcomes);
    assertTrue(outcomes.getOrDefault("format 1, part migrated", 0) > 0, "some kills landed mid-way: " + outcomes);
  }

  /** Checks the store a killed migration left, then finishes it; returns where the kill landed. */
  private String check(Path store, MigrationTest.Snapshot before, String what, int trial) throws IOException {
    String outcome;
    try (AssetClient c = client(store, "cache-check-" + trial); FileSystemStorage fs = new FileSystemStorage(store)) {
      int format = new Store(fs).format();
      long records;
      try (Stream<Path> s = Files.exists(store.resolve("index/uploads")) ? Files.list(store.resolve("index/uploads"))
          : Stream.empty()) {
        records = s.count();
      }
      outcome = format == 2 ? "format 2" : records == 0 ? "format 1, not started" : "format 1, part migrated";
      VerifyReport v = c.verify(VerifyOptions.DEFAULTS.withDeep());
      assertTrue(v.ok(), what + ": verify is clean mid-way (" + outcome + "): " + v.problems());
      assertEquals(before, MigrationTest.snapshot(c), what + ": nothing a user sees changed");
      int n = 0;
      for (Map.Entry<String, Map<String, byte[]>> alias : expected.entrySet()) {
        String type = alias.getKey().length() == 1 ? "models" : "inputs";
        Path out = c.download(type, alias.getKey()).to(tmp.resolve("out-" + trial + "-" + n++));
        for (Map.Entry<String, byte[]> f : alias.getValue().entrySet()) {
          assertArrayEquals(f.getValue(), Files.readAllBytes(out.resolve(f.getKey())), what + ": " + f.getKey());
        }
      }
      c.migrate(MigrateOptions.dryRun().migrating());
      assertTrue(c.migrate(MigrateOptions.dryRun().migrating()).upToDate(), what + ": a run after the finish does nothing");
    }
    MigrationTest.assertMigratedAndIntact(store, expected, tmp.resolve("cache-after-" + trial));
    return outcome;
  }

  private AssetClient client(Path store, String cache) {
    return AssetClient.builder().store(store.toString()).user("t").cache(tmp.resolve(cache)).build();
  }

  /**
   * Runs a migration worker and kills it {@code delay} ms after it is ready (never, if negative);
   * returns how long it ran to its switch of the format marker and to its end.
   */
  private long[] runAndKill(Path store, long delay) throws Exception {
    GcKillTest.Worker w = GcKillTest.startWorker("migration", MigrateWorker.class, store.toString(),
        tmp.resolve("cache-worker").toString(), Integer.toString(MS_PER_WRITE));
    Process p = w.process();
    try {
      BufferedReader out = w.out();
      String line;
      long ready = System.nanoTime();
      long switched = ready;
      StringBuilder rest = new StringBuilder();
      if (delay >= 0) {
        Thread.sleep(delay);
        p.destroyForcibly();
      } else {
        while ((line = out.readLine()) != null) {
          if (line.equals("SWITCHING")) {
            switched = System.nanoTime();
          }
          rest.append(line).append('\n');
        }
      }
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "migration worker exits");
      long[] took = {TimeUnit.NANOSECONDS.toMillis(switched - ready), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ready)};
      if (delay < 0) {
        assertEquals(0, p.exitValue(), "an uninterrupted migration succeeds: " + rest);
        assertTrue(rest.toString().contains("SWITCHING\nDONE 8 10"), rest.toString());
      }
      return took;
    } finally {
      p.destroyForcibly();
    }
  }
}
