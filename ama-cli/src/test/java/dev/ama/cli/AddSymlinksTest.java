package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The symlink policy of {@code ama add}, and what it says about files it does not stage. */
class AddSymlinksTest {
  @TempDir Path tmp;

  /** Staged path to source, from the stage file. */
  static Map<String, String> staged(Ama ama) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    for (JsonNode f : ama.stage().get("files")) {
      files.put(f.get("path").asText(), f.get("source").asText());
    }
    return files;
  }

  static void mkfifo(Path path) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertEquals(0, p.waitFor());
  }

  @Test
  void aLinkToAFileInsideTheWorkingFolderIsStagedFromItsTarget() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("d/a.bin", "a");
    ama.write("other.bin", "o");
    Files.createSymbolicLink(ama.work.resolve("d/latest.bin"), Path.of("a.bin"));
    Files.createSymbolicLink(ama.work.resolve("d/up.bin"), Path.of("../other.bin"));
    ama.ok("init", "checkpoints");
    Ama.Result r = ama.ok("add", "d");
    assertEquals(Map.of("d/a.bin", "d/a.bin", "d/latest.bin", "d/a.bin", "d/up.bin", "other.bin"), staged(ama));
    assertEquals("", r.err());
  }

  @Test
  void aLinkLeavingTheWorkingFolderIsRefusedNamingItsTargetAndTheFlag() throws IOException {
    Ama ama = new Ama(tmp);
    Path secret = Ama.write(tmp, "outside/secret.txt", "s".getBytes());
    ama.write("model.yml", "m");
    Files.createSymbolicLink(ama.work.resolve("passwd"), secret);
    ama.ok("init", "params");
    Ama.Result r = ama.run("add", ".");
    assertEquals(4, r.code(), r.toString());
    assertEquals("ama: cannot add 'passwd': it is a symbolic link to " + secret + ", outside " + ama.work
        + "; links that leave the folder are not followed, so that their bytes are not uploaded by mistake;"
        + " add the target itself, or give --follow-symlinks to stage it\n", r.err());
    assertEquals(Map.of(), staged(ama));
    Ama.Result direct = ama.run("add", "passwd");
    assertEquals(4, direct.code(), direct.toString());
    assertTrue(direct.err().contains("--follow-symlinks"), direct.err());
  }

  @Test
  void withFollowSymlinksALinkLeavingTheFolderIsStagedFromItsTargetAndUploaded() throws IOException {
    Ama ama = new Ama(tmp);
    Path secret = Ama.write(tmp, "outside/secret.txt", "s".getBytes());
    Files.createSymbolicLink(ama.work.resolve("shared.txt"), secret);
    ama.ok("init", "params");
    ama.ok("add", "--follow-symlinks", ".");
    assertEquals(Map.of("shared.txt", secret.toString()), staged(ama));
    ama.ok("upload");
  }

  /** A folder d holding a folder real with one file, and a link alias to real. */
  Ama folderWithAFolderLink() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("d/real/x.txt", "x");
    Files.createSymbolicLink(ama.work.resolve("d/alias"), Path.of("real"));
    return ama;
  }

  @Test
  void folderLinksAndSpecialFilesInAFolderAreSkippedEachNamedOnStderr() throws Exception {
    Ama ama = folderWithAFolderLink();
    Files.createSymbolicLink(ama.work.resolve("d/dead"), Path.of("nowhere.txt"));
    mkfifo(ama.work.resolve("d/pipe"));
    try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      socket.bind(UnixDomainSocketAddress.of(ama.work.resolve("d/sock")));
      ama.ok("init", "params");
      Ama.Result r = ama.ok("add", "d");
      assertEquals(Map.of("d/real/x.txt", "d/real/x.txt"), staged(ama));
      assertEquals(List.of(
          "ama: skipped d/alias: a link to the folder d/real, not followed; add d/real itself, or give --follow-symlinks",
          "ama: skipped d/dead: a link to nowhere.txt, which does not exist",
          "ama: skipped d/pipe: a FIFO (named pipe), not a regular file",
          "ama: skipped d/sock: a socket, not a regular file"), r.err().lines().toList());
    }
  }

  @Test
  void withFollowSymlinksFolderLinksAreFollowedUnderTheLinksName() throws IOException {
    Ama ama = folderWithAFolderLink();
    Files.createSymbolicLink(ama.work.resolve("d/real/loop"), Path.of(".."));
    ama.ok("init", "params");
    Ama.Result r = ama.ok("add", "--follow-symlinks", "d");
    assertEquals(Map.of("d/alias/x.txt", "d/real/x.txt", "d/real/x.txt", "d/real/x.txt"), staged(ama));
    assertTrue(r.err().contains("skipped d/real/loop: a link to a folder it is in (a loop)"), r.err());
  }

  @Test
  void aStagedFileReplacedByALinkLeavingTheFolderIsRefusedAtUpload() throws IOException {
    Ama ama = new Ama(tmp);
    Path secret = Ama.write(tmp, "outside/secret.txt", "s".getBytes());
    Path model = ama.write("model.yml", "m");
    ama.ok("init", "params");
    ama.ok("add", "model.yml");
    Files.delete(model);
    Files.createSymbolicLink(model, secret);
    Ama.Result r = ama.run("upload");
    assertEquals(4, r.code(), r.toString());
    assertEquals("ama: staged file model.yml is now a symbolic link to " + secret + ", outside " + ama.work
        + "; unstage it with: ama rm model.yml, and to upload the target stage it again with:"
        + " ama add --follow-symlinks model.yml\n", r.err());
    ama.ok("rm", "model.yml");
    ama.ok("add", "--follow-symlinks", "model.yml");
    ama.ok("upload");
  }

  @Test
  void aFolderLinkNamedOnTheCommandLineStagesItsFilesUnderTheLinksNameOnlyWhenItStaysInside() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("step-3/a.bin", "a");
    Ama.write(tmp, "outside/b.bin", "b".getBytes());
    Files.createSymbolicLink(ama.work.resolve("latest"), Path.of("step-3"));
    Files.createSymbolicLink(ama.work.resolve("elsewhere"), tmp.resolve("outside"));
    ama.ok("init", "checkpoints");
    ama.ok("add", "latest");
    assertEquals(Map.of("latest/a.bin", "step-3/a.bin"), staged(ama));
    Ama.Result r = ama.run("add", "elsewhere");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("'elsewhere': it is a symbolic link to " + tmp.resolve("outside")), r.err());
  }

  @Test
  void aLinkNamedOutsideTheWorkingFolderMayPointBesideItself() throws IOException {
    Ama ama = new Ama(tmp);
    Ama.write(tmp, "data/step-3.bin", "3".getBytes());
    Files.createSymbolicLink(tmp.resolve("data/latest.bin"), Path.of("step-3.bin"));
    ama.ok("init", "checkpoints");
    ama.ok("add", tmp.resolve("data/latest.bin").toString());
    assertEquals(Map.of("latest.bin", tmp.resolve("data/step-3.bin").toString()), staged(ama));
  }

  @Test
  void aDanglingLinkOnTheCommandLineSaysWhereItPoints() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("model.yaml", "m");
    Files.createSymbolicLink(ama.work.resolve("model.yml"), Path.of("checkpoints/model.yml"));
    ama.ok("init", "params");
    Ama.Result r = ama.run("add", "model.yml");
    assertEquals(3, r.code(), r.toString());
    assertEquals("ama: cannot add 'model.yml': it is a symbolic link to checkpoints/model.yml, which does not exist;"
        + " point the link at a file, or add the file itself\n", r.err());
    assertFalse(r.err().contains("Did you mean"), r.err());
  }

  @Test
  void aFifoOnTheCommandLineIsRefusedSayingWhatItIs() throws Exception {
    Ama ama = new Ama(tmp);
    mkfifo(ama.work.resolve("pipe"));
    ama.ok("init", "params");
    Ama.Result r = ama.run("add", "pipe");
    assertEquals(4, r.code(), r.toString());
    assertEquals("ama: cannot add 'pipe': it is a FIFO (named pipe), not a regular file or folder;"
        + " ama add stages regular files\n", r.err());
  }
}
