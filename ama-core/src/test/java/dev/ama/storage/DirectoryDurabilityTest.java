package dev.ama.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.PutOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A filesystem store makes every name it writes durable before the write returns: the directory
 * holding it is forced to disk after the name is in place, and so is each new directory's name in
 * its parent. The real fsync runs under the contract suite; here a recording one (which also runs
 * the real fsync) shows which directories were forced, and when.
 */
class DirectoryDurabilityTest {
  @TempDir Path tmp;

  /** Each fsync: the directory, and the names in it at that moment. */
  record Forced(Path directory, List<String> names) {}

  private final List<Forced> forced = new CopyOnWriteArrayList<>();

  private DirectorySync.Fsync recording() {
    return dir -> {
      try (var names = Files.list(dir)) {
        forced.add(new Forced(dir, names.map(p -> p.getFileName().toString()).sorted().toList()));
      }
      DirectorySync.FSYNC.force(dir);
    };
  }

  private List<Path> forcedDirectories() {
    return forced.stream().map(Forced::directory).toList();
  }

  @Test
  void aNewObjectIsForcedIntoItsDirectoryAndEveryNewDirectoryIntoItsParent() throws IOException {
    Path root = tmp.resolve("store");
    FileSystemStorage storage = new FileSystemStorage(root, recording());

    assertEquals(PutOutcome.CREATED, storage.putIfAbsent("blobs/sha256/ab/abcd", Content.ofBytes(new byte[] {1})));

    Path leaf = root.resolve("blobs/sha256/ab");
    assertTrue(forced.contains(new Forced(leaf, List.of("abcd"))), "the object's directory, after its name: " + forced);
    assertTrue(forcedDirectories().containsAll(List.of(root.resolve("blobs/sha256"), root.resolve("blobs"), root, tmp)),
        "each new directory's parent: " + forced);
    // The directory names were forced before the object's own directory, so the object is
    // reachable after a power loss whenever its name is.
    assertEquals(leaf, forcedDirectories().get(forced.size() - 1));
  }

  @Test
  void aReplacedObjectIsForcedIntoItsDirectory() throws IOException {
    FileSystemStorage storage = new FileSystemStorage(tmp, recording());
    storage.put("aliases/t/a/HEAD", Content.ofBytes(new byte[] {1}));
    forced.clear();

    storage.put("aliases/t/a/HEAD", Content.ofBytes(new byte[] {2}));

    assertEquals(List.of(new Forced(tmp.resolve("aliases/t/a"), List.of("HEAD"))), forced);
  }

  @Test
  void anExistingUserFolderAsRootIsNotForcedIntoItsParent() throws IOException {
    FileSystemStorage storage = new FileSystemStorage(tmp, recording());

    storage.putIfAbsent("k", Content.ofBytes(new byte[] {1}));

    assertEquals(List.of(new Forced(tmp, List.of(".ama-tmp", "k"))), forced);
  }

  @Test
  void directoriesAreForcedIntoTheirParentsOncePerInstance() throws IOException {
    FileSystemStorage storage = new FileSystemStorage(tmp, recording());
    storage.putIfAbsent("blobs/sha256/ab/ab01", Content.ofBytes(new byte[] {1}));
    forced.clear();

    storage.putIfAbsent("blobs/sha256/ab/ab02", Content.ofBytes(new byte[] {2}));

    assertEquals(List.of(tmp.resolve("blobs/sha256/ab")), forcedDirectories());
  }

  @Test
  void anObjectThatAlreadyExistsForcesNothing() throws IOException {
    FileSystemStorage storage = new FileSystemStorage(tmp, recording());
    storage.putIfAbsent("m/k", Content.ofBytes(new byte[] {1}));
    forced.clear();

    assertEquals(PutOutcome.ALREADY_EXISTS, storage.putIfAbsent("m/k", Content.ofBytes(new byte[] {1})));

    assertEquals(List.of(), forced);
  }

  @Test
  void writersIntoOneDirectoryAtOnceShareItsFsync() throws Exception {
    int writers = 8;
    Path dir = tmp.resolve("d");
    // The first fsync of d waits until every writer's name is in d: the others queue behind it
    // meanwhile, and one more fsync covers them all.
    AtomicBoolean racing = new AtomicBoolean();
    DirectorySync.Fsync slowFirst = directory -> {
      if (racing.get() && directory.equals(dir) && forced.stream().noneMatch(f -> f.directory().equals(dir))) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (countNames(dir) < writers && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      }
      recording().force(directory);
    };
    FileSystemStorage storage = new FileSystemStorage(tmp, slowFirst);
    storage.putIfAbsent("d/warm", Content.ofBytes(new byte[] {0}));
    Files.delete(dir.resolve("warm"));
    forced.clear();
    racing.set(true);

    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<PutOutcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        byte[] body = {(byte) i};
        String key = "d/k" + i;
        outcomes.add(pool.submit(() -> storage.putIfAbsent(key, Content.ofBytes(body))));
      }
      for (Future<PutOutcome> outcome : outcomes) {
        assertEquals(PutOutcome.CREATED, outcome.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    assertEquals(writers, countNames(dir));
    long fsyncsOfD = forcedDirectories().stream().filter(dir::equals).count();
    // Two when every writer has taken its ticket before the first fsync ends; a writer between its
    // link and its ticket then may need one more. Without sharing there would be eight.
    assertTrue(fsyncsOfD >= 1 && fsyncsOfD <= writers / 2,
        writers + " writers, " + fsyncsOfD + " fsyncs of " + dir + ": " + forced);
    // Whatever the count, the last fsync saw every name.
    Forced last = forced.stream().filter(f -> f.directory().equals(dir)).reduce((a, b) -> b).orElseThrow();
    assertEquals(writers, last.names().size());
  }

  @Test
  void aFailedFsyncFailsTheWriteAndTheNextWriterForcesAgain() throws IOException {
    DirectorySync.Fsync failingOnce = new DirectorySync.Fsync() {
      private boolean failed;

      @Override
      public synchronized void force(Path directory) throws IOException {
        if (!failed && directory.getFileName().toString().equals("m")) {
          failed = true;
          throw new IOException("disk went away (on purpose)");
        }
        recording().force(directory);
      }
    };
    FileSystemStorage storage = new FileSystemStorage(tmp, failingOnce);

    IOException e = assertThrows(IOException.class, () -> storage.putIfAbsent("m/a", Content.ofBytes(new byte[] {1})));
    assertEquals("disk went away (on purpose)", e.getMessage());
    storage.putIfAbsent("m/b", Content.ofBytes(new byte[] {2}));

    assertEquals(new Forced(tmp.resolve("m"), List.of("a", "b")), forced.get(forced.size() - 1));
  }

  private static long countNames(Path dir) {
    try (var names = Files.list(dir)) {
      return names.count();
    } catch (IOException e) {
      return 0;
    }
  }
}
