package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ama.ConflictException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that change {@code .ama/} at the same time, in threads of separate CLI runs and in
 * separate processes: nothing one of them staged is lost, and an upload clears only what it
 * uploaded.
 */
class WorkingFolderConcurrencyTest {
  static final int ADDS = 8;
  static final int ROUNDS = 3;

  @TempDir Path tmp;

  static List<String> names(int round) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < ADDS; i++) {
      names.add("r" + round + "-f" + i + ".txt");
    }
    return names;
  }

  @Test
  void concurrentAddsInOneProcessAllStayStaged() throws Exception {
    Ama ama = Ama.format1(tmp);
    ama.ok("init", "params");
    ExecutorService pool = Executors.newFixedThreadPool(ADDS);
    try {
      List<String> expected = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        List<String> names = names(round);
        names.forEach(n -> ama.write(n, n));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Ama.Result>> runs = new ArrayList<>();
        for (String n : names) {
          runs.add(pool.submit(() -> {
            start.await();
            return ama.run("add", n);
          }));
        }
        start.countDown();
        for (Future<Ama.Result> run : runs) {
          Ama.Result r = run.get(20, TimeUnit.SECONDS);
          assertEquals(0, r.code(), r.toString());
        }
        expected.addAll(names);
        assertEquals(expected.stream().sorted().toList(), ama.stagedPaths(), "after round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentAddsInSeparateProcessesAllStayStaged() throws Exception {
    Ama ama = Ama.format1(tmp);
    ama.ok("init", "params");
    List<String> names = names(0);
    names.forEach(n -> ama.write(n, n));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    for (String n : names) {
      ProcessBuilder pb = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
          System.getProperty("java.class.path"), AmaCli.class.getName(), "add", n)
          .directory(ama.work.toFile())
          .redirectErrorStream(true)
          .redirectOutput(tmp.resolve(n + ".log").toFile());
      pb.environment().putAll(ama.env);
      processes.add(pb.start());
    }
    for (int i = 0; i < processes.size(); i++) {
      Process p = processes.get(i);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ama add " + names.get(i) + " did not finish");
      assertEquals(0, p.exitValue(), Files.readString(tmp.resolve(names.get(i) + ".log")));
    }
    assertEquals(names, ama.stagedPaths());
  }

  @Test
  void aCommandThatFoundNoStagingFolderDoesNotSaveIntoOneCreatedMeanwhile() throws IOException {
    Ama ama = Ama.format1(tmp);
    StageStore store = new StageStore(ama.work);
    try (StageStore.Lock lock = store.lock()) {
      // Another process runs ama init now, holding the file lock this command never took.
      ama.writeStage("{\"format\": 1, \"type\": \"params\"}");
      Stage stage = store.load();
      stage.addFile(new Stage.StagedFile("a.txt", "a.txt"));
      ConflictException e = assertThrows(ConflictException.class, () -> store.save(stage));
      assertTrue(e.getMessage().endsWith("run the command again"), e.getMessage());
    }
    assertEquals("{\"format\": 1, \"type\": \"params\"}", Files.readString(ama.work.resolve(".ama/stage.json")));
  }

  @Test
  void anAddDuringAnUploadStaysStagedAndTheUploadClearsOnlyWhatItUploaded() throws Exception {
    Ama ama = Ama.format1(tmp);
    ama.write("a.txt", "a");
    ama.write("late.txt", "late");
    ama.ok("init", "params");
    ama.ok("add", "a.txt");
    ama.ok("set", "--alias", "first");
    BlockingStorageProvider.Gate gate = BlockingStorageProvider.gate(tmp.toString());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Ama.Result> upload = pool.submit(
          () -> ama.run("--store", "blocking:" + ama.store + "?gate=" + tmp, "upload"));
      assertTrue(gate.entered.await(20, TimeUnit.SECONDS), "the upload never reached the store");
      // The upload is now between reading the stage and recording its result.
      Ama.Result add = pool.submit(() -> ama.run("add", "late.txt")).get(20, TimeUnit.SECONDS);
      assertEquals(0, add.code(), add.toString());
      Ama.Result set = pool.submit(() -> ama.run("set", "--label", "late=yes")).get(20, TimeUnit.SECONDS);
      assertEquals(0, set.code(), set.toString());
      gate.open.countDown();
      Ama.Result r = upload.get(20, TimeUnit.SECONDS);
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().contains("still staged: late.txt;"), r.out());
    } finally {
      gate.open.countDown();
      pool.shutdownNow();
    }
    JsonNode stage = ama.stage();
    assertEquals(List.of("late.txt"), ama.stagedPaths());
    assertEquals("{\"late\":\"yes\"}", stage.get("labels").toString());
    assertTrue(stage.get("alias").isNull(), stage.toString());
    assertEquals("first", stage.get("lastUpload").get("alias").asText());
    // What the upload stored is what was staged when it began.
    String files = ama.ok("show", "params", "--alias", "first").out();
    assertTrue(files.contains("a.txt") && !files.contains("late.txt"), files);
  }
}
