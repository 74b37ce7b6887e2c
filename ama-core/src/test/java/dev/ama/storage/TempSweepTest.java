package dev.ama.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.PutOutcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temporary files of killed writers are removed by a later write, and a live writer's never is,
 * whether it writes in another process or in this one.
 */
@DisabledOnOs(OS.WINDOWS)
class TempSweepTest {
  @TempDir Path store;
  private Process child;

  @AfterEach
  void killChild() {
    if (child != null) {
      child.destroyForcibly();
    }
  }

  /** Starts a {@link StalledWriter} and waits until its temporary file holds its first bytes. */
  private BufferedReader stalledWriter(String key) throws IOException {
    child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1", "-Xmx64m",
        StalledWriter.class.getName(), store.toString(), key)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("WRITING", out.readLine());
    return out;
  }

  private List<Path> temps() throws IOException {
    try (Stream<Path> s = Files.list(store.resolve(".ama-tmp"))) {
      return s.toList();
    }
  }

  /** Moves a temp's last write back past the grace period, as minutes passing would. */
  private static void age(Path temp) throws IOException {
    Files.setLastModifiedTime(temp, FileTime.from(Instant.now().minus(FileSystemStorage.TEMP_GRACE).minusSeconds(60)));
  }

  @Test
  void theTempOfAWriterKilledMidWriteIsRemovedByTheNextWrite() throws Exception {
    stalledWriter("blobs/big");
    child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    List<Path> left = temps();
    assertEquals(1, left.size(), "the killed writer left its temp");
    assertEquals(StalledWriter.FIRST, Files.size(left.get(0)));
    age(left.get(0));

    FileSystemStorage next = new FileSystemStorage(store);
    assertEquals(PutOutcome.CREATED, next.putIfAbsent("small", Content.ofBytes(new byte[] {1})));
    assertEquals(List.of(), temps());
    assertEquals(new FileSystemStorage.Swept(0, 0), next.sweepTemporaryFiles(), "nothing is left to sweep");
  }

  @Test
  void aRecentTempIsKeptEvenWhenNoWriterLocksIt() throws Exception {
    Files.createDirectories(store.resolve(".ama-tmp"));
    Files.write(store.resolve(".ama-tmp/just-created"), new byte[10]);
    assertEquals(new FileSystemStorage.Swept(0, 0), new FileSystemStorage(store).sweepTemporaryFiles());
    age(store.resolve(".ama-tmp/just-created"));
    assertEquals(new FileSystemStorage.Swept(1, 10), new FileSystemStorage(store).sweepTemporaryFiles());
  }

  @Test
  void aLiveWriterInAnotherProcessKeepsItsTempAndCompletesItsWrite() throws Exception {
    BufferedReader out = stalledWriter("blobs/big");
    Path temp = temps().get(0);
    age(temp);

    assertEquals(new FileSystemStorage.Swept(0, 0), new FileSystemStorage(store).sweepTemporaryFiles());
    assertTrue(Files.exists(temp), "the live writer's temp is locked, so it stays");

    OutputStream in = child.getOutputStream();
    in.write('\n');
    in.flush();
    assertEquals("CREATED", out.readLine());
    assertEquals(0, child.waitFor());
    assertEquals(StalledWriter.TOTAL, Files.size(store.resolve("blobs/big")));
    assertEquals(List.of(), temps());
  }

  @Test
  void aLiveWriterInThisProcessKeepsItsTemp() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    byte[] bytes = new byte[5000];
    Content stalling = new Content() {
      @Override
      public long length() {
        return bytes.length;
      }

      @Override
      public InputStream openStream() {
        // Not a ByteArrayInputStream, whose transferTo would bypass read.
        return new InputStream() {
          private int pos;

          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (pos == 1000) {
              writing.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            if (pos == bytes.length) {
              return -1;
            }
            int n = Math.min(len, (pos < 1000 ? 1000 : bytes.length) - pos);
            pos += n;
            return n;
          }
        };
      }
    };
    FileSystemStorage writer = new FileSystemStorage(store);
    CompletableFuture<PutOutcome> put = CompletableFuture.supplyAsync(() -> {
      try {
        return writer.putIfAbsent("blobs/b", stalling);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertTrue(writing.await(10, TimeUnit.SECONDS));
    age(temps().get(0));
    assertEquals(new FileSystemStorage.Swept(0, 0), new FileSystemStorage(store).sweepTemporaryFiles());
    release.countDown();
    assertEquals(PutOutcome.CREATED, put.get(10, TimeUnit.SECONDS));
    assertEquals(bytes.length, Files.size(store.resolve("blobs/b")));
  }
}
