package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ama add leaves out .git/, .ama/, what .amaignore files ignore, and what --exclude/--include say. */
class AddIgnoreTest {
  @TempDir Path tmp;

  Ama started() {
    Ama ama = new Ama(tmp);
    ama.ok("init", "models");
    return ama;
  }

  @Test
  void addDotLeavesOutGitAndWhatAmaignoreIgnoresAndCountsThem() throws IOException {
    Ama ama = started();
    ama.write(".git/config", "[core]");
    ama.write(".git/objects/ab/cd", "blob");
    ama.write("__pycache__/train.cpython-311.pyc", "bytecode");
    ama.write("train.py", "print()");
    ama.write("train.log", "epoch 1");
    ama.write("keep.log", "kept");
    ama.write(".amaignore", "# build leftovers\n__pycache__/\n*.log\n!keep.log\n");

    Ama.Result r = ama.ok("add", ".");

    assertEquals(List.of(".amaignore", "keep.log", "train.py"), ama.stagedPaths());
    assertTrue(r.out().contains("left out 2 folder(s) and 1 file(s) (by .amaignore, the rule for .git/ and .ama/)"), r.out());
    assertTrue(r.out().contains("--verbose or --dry-run"), r.out());
  }

  @Test
  void anAmaignoreInASubfolderAppliesBelowItAndAnchoredRulesToTheirOwnFolder() throws IOException {
    Ama ama = started();
    ama.write(".amaignore", "/notes.txt\n");
    ama.write("notes.txt", "top notes, ignored");
    ama.write("data/notes.txt", "anchored rule does not reach here");
    ama.write("data/.amaignore", "*.tmp\n");
    ama.write("data/a.tmp", "scratch");
    ama.write("data/deep/b.tmp", "scratch");
    ama.write("data/x.csv", "1,2");
    ama.write("c.tmp", "the data/ rule does not reach up");

    ama.ok("add", ".");

    assertEquals(List.of(".amaignore", "c.tmp", "data/.amaignore", "data/notes.txt", "data/x.csv"), ama.stagedPaths());
  }

  @Test
  void theWorkingFoldersAmaignoreAppliesToAFolderAddedByName() throws IOException {
    Ama ama = started();
    ama.write(".amaignore", "models/tmp/\n");
    ama.write("models/model.h5", "weights");
    ama.write("models/tmp/partial.h5", "half");

    ama.ok("add", "models");

    assertEquals(List.of("models/model.h5"), ama.stagedPaths());
  }

  @Test
  void excludeAndIncludeChooseAmongAFoldersFilesByTheirPathInTheAsset() throws IOException {
    Ama ama = started();
    ama.write("ckpt/step-1.pt", "1");
    ama.write("ckpt/step-2.pt", "2");
    ama.write("ckpt/old/step-0.pt", "0");
    ama.write("ckpt/events.log", "log");
    ama.write("ckpt/__pycache__/x.pt", "not a checkpoint");

    ama.ok("add", "ckpt", "--include", "*.pt", "--exclude", "ckpt/old/**", "--exclude", "__pycache__");

    assertEquals(List.of("ckpt/step-1.pt", "ckpt/step-2.pt"), ama.stagedPaths());
  }

  @Test
  void anIncludePatternMatchingNoFileIsRefusedAndNothingIsStaged() throws IOException {
    Ama ama = started();
    ama.write("ckpt/step-1.pt", "1");

    Ama.Result r = ama.run("add", "ckpt", "--include", "*.pth");

    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("--include pattern '*.pth' matches no file"), r.err());
    assertTrue(r.err().contains("nothing was staged"), r.err());
    assertEquals(List.of(), ama.stagedPaths());
  }

  @Test
  void aFileNamedAsAnArgumentThatAmaignoreIgnoresIsRefusedUnlessForcedAsGitDoes() throws IOException {
    Ama ama = started();
    ama.write(".amaignore", "*.log\nbuild/\n");
    ama.write("train.log", "epoch 1");
    ama.write("build/out.bin", "artifact");

    Ama.Result refused = ama.run("add", "train.log");
    assertEquals(4, refused.code(), refused.toString());
    assertTrue(refused.err().contains("cannot add 'train.log': it is ignored by .amaignore ('*.log')"), refused.err());
    assertTrue(refused.err().contains("ama add -f train.log"), refused.err());

    Ama.Result inIgnoredFolder = ama.run("add", "build/out.bin");
    assertEquals(4, inIgnoredFolder.code(), inIgnoredFolder.toString());
    assertTrue(inIgnoredFolder.err().contains("in build/"), inIgnoredFolder.err());
    assertEquals(List.of(), ama.stagedPaths());

    ama.ok("add", "-f", "train.log", "build");
    assertEquals(List.of("build/out.bin", "train.log"), ama.stagedPaths());
  }

  @Test
  void aFileInsideGitIsNeverStagedEvenWithForce() {
    Ama ama = started();
    ama.write(".git/config", "[core]");

    Ama.Result r = ama.run("add", "-f", ".git/config");

    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("inside .git/"), r.err());
  }

  @Test
  void dryRunNamesWhatWouldBeStagedAndWhatIsLeftOutAndWhyAndStagesNothing() throws IOException {
    Ama ama = started();
    ama.write(".amaignore", "*.log\n");
    ama.write("model.h5", "weights");
    ama.write("train.log", "epoch 1");
    ama.write("scratch/x", "x");

    Ama.Result r = ama.ok("add", ".", "--dry-run", "--exclude", "scratch");

    assertTrue(r.out().contains("would stage 2 file(s) for models"), r.out());
    assertTrue(r.out().contains("  model.h5"), r.out());
    assertTrue(r.out().contains("  train.log: ignored by .amaignore ('*.log')"), r.out());
    assertTrue(r.out().contains("  scratch/: matches --exclude 'scratch'"), r.out());
    assertFalse(Files.exists(ama.work.resolve(".ama/stage.json")) && !ama.stagedPaths().isEmpty());
  }

  @Test
  void verboseNamesEachFileLeftOut() {
    Ama ama = started();
    ama.write("model.h5", "weights");
    ama.write("notes.md", "notes");

    Ama.Result r = ama.ok("add", ".", "--exclude", "*.md", "--verbose");

    assertTrue(r.out().contains("left out 1 file(s):"), r.out());
    assertTrue(r.out().contains("  notes.md: matches --exclude '*.md'"), r.out());
  }

  @Test
  void aFolderWhoseFilesAreAllLeftOutIsRefusedNamingWhatLeftThemOut() {
    Ama ama = started();
    ama.write("logs/a.log", "a");

    Ama.Result r = ama.run("add", "logs", "--exclude", "*.log");

    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("logs/a.log matches --exclude '*.log'"), r.err());
  }
}
