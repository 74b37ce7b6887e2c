package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ama download --include (only some files) and --file with -o naming the file itself. */
class DownloadSubsetTest {
  @TempDir Path tmp;
  Ama ama;

  @BeforeEach
  void model() {
    ama = new Ama(tmp);
    ama.write("model.pth", "weights-1");
    ama.write("model.yml", "layers: 3\n");
    ama.write("ckpt/step-1.pt", "checkpoint-1");
    ama.write("ckpt/deep/step-2.pt", "checkpoint-2");
    ama.ok("init", "models");
    ama.ok("add", "model.pth", "model.yml", "ckpt");
    ama.ok("set", "--alias", "prod");
    ama.ok("upload");
  }

  private List<String> filesUnder(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
    }
  }

  @Test
  void includeFetchesOnlyTheMatchingFiles() throws Exception {
    Ama.Result r = ama.ok("download", "models", "--alias", "prod", "-o", "out", "--include", "model.pth",
        "--include", "*.yml");
    assertEquals(List.of("model.pth", "model.yml"), filesUnder(ama.work.resolve("out")));
    assertTrue(r.out().contains("(2 of 4 file(s), "), r.out());

    ama.ok("download", "models", "--alias", "prod", "-o", "ckpts", "--include", "*.pt");
    assertEquals(List.of("ckpt/deep/step-2.pt", "ckpt/step-1.pt"), filesUnder(ama.work.resolve("ckpts")));
    ama.ok("download", "models", "--alias", "prod", "-o", "top", "--include", "ckpt/*.pt");
    assertEquals(List.of("ckpt/step-1.pt"), filesUnder(ama.work.resolve("top")));
  }

  @Test
  void anIncludeMatchingNothingIsRefusedAndWritesNothing() {
    Ama.Result r = ama.run("download", "models", "--alias", "prod", "-o", "out", "--include", "model.pth",
        "--include", "*.h5");
    assertEquals(ExitCodes.NOT_FOUND, r.code(), r.toString());
    assertTrue(r.err().contains("'*.h5' matches no file"), r.err());
    assertTrue(r.err().contains("ckpt/deep/step-2.pt, ckpt/step-1.pt, model.pth, model.yml"), r.err());
    assertFalse(Files.exists(ama.work.resolve("out")), "nothing written");

    Ama.Result bad = ama.run("download", "models", "--alias", "prod", "--include", "model.{pth");
    assertEquals(ExitCodes.INVALID_INPUT, bad.code(), bad.toString());
    assertTrue(bad.err().contains("not a valid glob"), bad.err());
  }

  @Test
  void fileWithOutputNamesTheFileItself() throws Exception {
    Ama.Result r = ama.ok("download", "models", "--alias", "prod", "--file", "model.pth", "-o", "models/mainModel.pth");
    Path written = ama.work.resolve("models/mainModel.pth");
    assertEquals("weights-1", Files.readString(written));
    assertEquals(List.of("mainModel.pth"), filesUnder(ama.work.resolve("models")));
    assertTrue(r.out().contains("to models/mainModel.pth") || r.out().contains(written.toString()), r.out());

    // Again: left as it is; with other content there: refused unless --force.
    JsonNode again = new ObjectMapper().readTree(ama.ok("download", "models", "--alias", "prod", "--file", "model.pth",
        "-o", "models/mainModel.pth", "--json").out());
    assertEquals(written.toString(), again.get("file").asText());
    assertEquals("mainModel.pth", again.get("unchanged").get(0).asText());
    Files.writeString(written, "someone else's weights");
    Ama.Result refused = ama.run("download", "models", "--alias", "prod", "--file", "model.pth", "-o", "models/mainModel.pth");
    assertEquals(ExitCodes.CONFLICT, refused.code(), refused.toString());
    assertEquals("someone else's weights", Files.readString(written), "nothing lost");
    ama.ok("download", "models", "--alias", "prod", "--file", "model.pth", "-o", "models/mainModel.pth", "--force");
    assertEquals("weights-1", Files.readString(written));
  }

  @Test
  void fileDefaultsToItsNameAndANestedFileWorks() throws Exception {
    ama.ok("download", "models", "--alias", "prod", "--file", "ckpt/deep/step-2.pt");
    assertEquals("checkpoint-2", Files.readString(ama.work.resolve("step-2.pt")));
    ama.ok("download", "models", "--alias", "prod", "--file", "model.yml", "-o", "conf/");
    assertEquals("layers: 3\n", Files.readString(ama.work.resolve("conf/model.yml")));
  }

  @Test
  void fileRefusesAFolderAnUnknownFileAndOptionsThatDoNotApply() throws Exception {
    Files.createDirectories(ama.work.resolve("models"));
    Ama.Result folder = ama.run("download", "models", "--alias", "prod", "--file", "model.pth", "-o", "models");
    assertEquals(ExitCodes.INVALID_INPUT, folder.code(), folder.toString());
    assertTrue(folder.err().contains("is a folder") && folder.err().contains("models/model.pth"), folder.err());

    Ama.Result unknown = ama.run("download", "models", "--alias", "prod", "--file", "model.h5");
    assertEquals(ExitCodes.NOT_FOUND, unknown.code(), unknown.toString());
    assertTrue(unknown.err().contains("no file 'model.h5'") && unknown.err().contains("model.pth"), unknown.err());

    Ama.Result refs = ama.run("download", "models", "--alias", "prod", "--file", "model.pth", "-o", "fromrefs.pth", "--refs");
    assertEquals(ExitCodes.INVALID_INPUT, refs.code(), refs.toString());
    assertTrue(refs.err().contains("--refs does not apply"), refs.err());
    assertFalse(Files.exists(ama.work.resolve("fromrefs.pth")), "nothing written");
  }
}
