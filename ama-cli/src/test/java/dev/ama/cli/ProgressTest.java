package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.TransferListener.Phase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress line: drawn for large transfers, throttled, erased at the end. */
class ProgressTest {
  @TempDir Path tmp;

  @Test
  void largeTransferDrawsThrottledAndErasesItsLine() {
    StringWriter text = new StringWriter();
    AtomicLong clock = new AtomicLong();
    Progress progress = new Progress(new PrintWriter(text), clock::get);
    progress.started(Phase.UPLOADING, 2, 20L * 1024 * 1024);
    progress.transferred(Phase.UPLOADING, 10L * 1024 * 1024);
    progress.transferred(Phase.UPLOADING, 1);
    clock.addAndGet(300_000_000L);
    progress.fileDone(Phase.UPLOADING, "model.h5", false);
    progress.finished(Phase.UPLOADING);

    String[] frames = text.toString().split("\r", -1);
    assertEquals("", frames[0]);
    assertEquals("uploading   0/2 files  10.0 MiB / 20.0 MiB   50%", frames[1]);
    assertEquals("uploading   1/2 files  10.0 MiB / 20.0 MiB   50%", frames[2]);
    assertEquals(" ".repeat(frames[1].length()), frames[3], "the line is erased");
    assertEquals("", frames[4]);
    assertEquals(5, frames.length, "the second transferred() within 200 ms was not drawn");
  }

  @Test
  void smallTransfersShowNothing() {
    StringWriter text = new StringWriter();
    Progress progress = new Progress(new PrintWriter(text), System::nanoTime);
    progress.started(Phase.DOWNLOADING, 3, 1024);
    progress.transferred(Phase.DOWNLOADING, 1024);
    progress.fileDone(Phase.DOWNLOADING, "a", false);
    progress.finished(Phase.DOWNLOADING);
    assertEquals("", text.toString());
  }

  @Test
  void uploadWithProgressLeavesStderrClean() {
    Ama ama = new Ama(tmp);
    ama.env.put("AMA_PROGRESS", "1");
    byte[] big = new byte[(int) Progress.MIN_BYTES + 1];
    new Random(1).nextBytes(big);
    Ama.write(ama.work, "big.bin", big);
    ama.ok("init", "models");
    ama.ok("add", "big.bin");
    Ama.Result r = ama.ok("upload");
    assertTrue(r.out().startsWith("uploaded models "), r.out());
    String[] frames = r.err().split("\r", -1);
    assertTrue(r.err().contains("hashing") && r.err().contains("uploading"), r.err().replace("\r", "\\r"));
    assertEquals("", frames[frames.length - 1], "nothing after the erased line");
    assertTrue(frames[frames.length - 2].isBlank(), "the last frame erases the line: " + r.err().replace("\r", "\\r"));
  }
}
