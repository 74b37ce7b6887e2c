package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ama.TransferListener.Phase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener-to-progressbar adapter, drawn into a captured writer instead of a terminal, and when
 * the commands show bars: only with AMA_PROGRESS=1, never with --quiet or --json, never on stdout.
 */
class ProgressBarsTest {
  static final int WIDTH = 100;
  static final long MIB = 1024 * 1024;

  @TempDir Path tmp;

  StringWriter text = new StringWriter();
  ProgressBars bars = new ProgressBars(() -> new ProgressBars.LineConsumer(new PrintWriter(text), () -> WIDTH));

  /** The frames drawn, in order: each starts with a carriage return. */
  List<String> frames() {
    return Arrays.asList(text.toString().split("\r", -1));
  }

  /** The last frame drawn before the line was erased. */
  String lastBar() {
    List<String> frames = frames();
    for (int i = frames.size() - 1; i >= 0; i--) {
      if (!frames.get(i).isBlank()) {
        return frames.get(i);
      }
    }
    throw new AssertionError("no bar was drawn: " + text.toString().replace("\r", "\\r"));
  }

  /** Whether the output ends with the line erased and the cursor at its start. */
  boolean erased() {
    return text.toString().endsWith("\r" + " ".repeat(WIDTH) + "\r");
  }

  @Test
  void aLargePhaseDrawsABarThatEndsFullAndIsErased() {
    bars.started(Phase.UPLOADING, 2, 20 * MIB);
    assertTrue(bars.showing(Phase.UPLOADING));
    bars.transferred(Phase.UPLOADING, 10 * MIB);
    bars.fileDone(Phase.UPLOADING, "model.h5", false);
    bars.transferred(Phase.UPLOADING, 10 * MIB);
    bars.fileDone(Phase.UPLOADING, "weights.bin", false);
    bars.finished(Phase.UPLOADING);
    assertFalse(bars.showing(Phase.UPLOADING));

    assertEquals("", frames().get(0), "every frame starts at the beginning of the line");
    String last = lastBar();
    assertTrue(last.startsWith("uploading 100%"), last);
    assertTrue(last.contains("20/20 MiB"), last);
    assertTrue(last.endsWith(" 2/2 files"), last);
    assertTrue(last.length() <= WIDTH, "fits the terminal: " + last);
    assertTrue(erased(), "the bar is erased and the cursor back at the start of the line: [" + text.toString().replace("\r", "\\r") + "]");
  }

  @Test
  void skippedFilesStillEndAtFullWhenEveryFileIsDone() {
    bars.started(Phase.DOWNLOADING, 1, 64 * MIB);
    bars.fileDone(Phase.DOWNLOADING, "model.h5", true);
    bars.finished(Phase.DOWNLOADING);
    String last = lastBar();
    assertTrue(last.startsWith("downloading 100%") && last.contains("64/64 MiB"), last);
    assertTrue(erased());
  }

  @Test
  void aFailedPhaseShowsWhereItStoppedBeforeTheLineIsErased() {
    bars.started(Phase.DOWNLOADING, 2, 64 * MIB);
    bars.transferred(Phase.DOWNLOADING, 16 * MIB);
    bars.fileDone(Phase.DOWNLOADING, "a.bin", false);
    bars.finished(Phase.DOWNLOADING);
    String last = lastBar();
    assertTrue(last.startsWith("downloading  25%") && last.contains("16/64 MiB") && last.contains("1/2 files"), last);
    assertTrue(erased());
  }

  @Test
  void bytesCountedTwiceNeverPassTheTotal() {
    bars.started(Phase.HASHING, 1, 8 * MIB);
    bars.transferred(Phase.HASHING, 8 * MIB);
    bars.transferred(Phase.HASHING, 8 * MIB);
    bars.finished(Phase.HASHING);
    String last = lastBar();
    assertTrue(last.startsWith("hashing 100%") && last.contains("8/8 MiB"), last);
  }

  @Test
  void smallPhasesShowNothing() {
    bars.started(Phase.DOWNLOADING, 3, ProgressBars.MIN_BYTES - 1);
    assertFalse(bars.showing(Phase.DOWNLOADING));
    bars.transferred(Phase.DOWNLOADING, 1024);
    bars.fileDone(Phase.DOWNLOADING, "a", false);
    bars.finished(Phase.DOWNLOADING);
    assertEquals("", text.toString());
  }

  // ---- through the command ----

  Ama bigUpload(String... env) {
    Ama ama = new Ama(tmp);
    for (int i = 0; i < env.length; i += 2) {
      ama.env.put(env[i], env[i + 1]);
    }
    byte[] big = new byte[(int) ProgressBars.MIN_BYTES + 1];
    new Random(1).nextBytes(big);
    Ama.write(ama.work, "big.bin", big);
    ama.ok("init", "models");
    ama.ok("add", "big.bin");
    ama.ok("set", "--alias", "big");
    return ama;
  }

  @Test
  void uploadAndDownloadDrawBarsOnStderrOnly() {
    Ama ama = bigUpload("AMA_PROGRESS", "1");
    Ama.Result up = ama.ok("upload");
    assertTrue(up.out().startsWith("uploaded models/big ") && !up.out().contains("\r"), up.out());
    assertTrue(up.err().contains("hashing") && up.err().contains("uploading"), up.err().replace("\r", "\\r"));
    assertTrue(up.err().endsWith("\r"), "the last bar is erased: " + up.err().replace("\r", "\\r"));

    Ama.Result down = ama.ok("download", "models", "--alias", "big", "-o", "out");
    assertTrue(down.out().startsWith("downloaded models/big ") && !down.out().contains("\r"), down.out());
    assertTrue(down.err().contains("downloading"), down.err().replace("\r", "\\r"));
  }

  @Test
  void noBarsWithoutAmaProgressOrWithZero() {
    assertEquals("", bigUpload().ok("upload").err());
    assertEquals("", bigUpload("AMA_PROGRESS", "0").ok("upload").err());
  }

  @Test
  void quietDrawsNoBarsAndPrintsNoConfirmations() {
    Ama ama = bigUpload("AMA_PROGRESS", "1");
    Ama.Result up = ama.ok("upload", "--quiet");
    assertEquals("", up.out());
    assertEquals("", up.err());
    Ama.Result down = ama.ok("-q", "download", "models", "--alias", "big", "-o", "out");
    assertEquals("", down.out());
    assertEquals("", down.err());
    assertTrue(ama.work.resolve("out/big.bin").toFile().isFile());
  }

  @Test
  void quietKeepsRequestedDataAndErrors() throws Exception {
    Ama ama = bigUpload("AMA_PROGRESS", "1");
    Ama.Result json = ama.ok("-q", "upload", "--json");
    assertEquals("big", new ObjectMapper().readTree(json.out()).get("alias").asText(), "--json is data, printed");
    assertEquals("", json.err());
    assertEquals("", ama.ok("-q", "init", "other").out());
    assertTrue(ama.ok("-q", "ls", "models").out().startsWith("ALIAS"));
    assertTrue(ama.ok("--quiet", "show", "models", "--alias", "big").out().startsWith("models/big"));
    Ama.Result missing = ama.run("-q", "show", "models", "--alias", "nope");
    assertEquals(3, missing.code());
    assertTrue(missing.err().startsWith("ama: "), missing.err());
  }

  @Test
  void jsonOutputDrawsNoBars() throws Exception {
    Ama ama = bigUpload("AMA_PROGRESS", "1");
    Ama.Result up = ama.ok("upload", "--json");
    assertEquals("", up.err());
    new ObjectMapper().readTree(up.out());
    Ama.Result down = ama.ok("download", "models", "--alias", "big", "-o", "out", "--json");
    assertEquals("", down.err());
  }
}
