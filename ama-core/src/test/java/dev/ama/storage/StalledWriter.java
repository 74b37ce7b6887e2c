package dev.ama.storage;

import dev.ama.spi.Content;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A separate process writing one object into a filesystem store that stalls mid-write: it prints
 * {@code WRITING} once its temporary file holds the first {@value #FIRST} bytes, then waits for a
 * line on stdin before it writes the rest, and prints the outcome of the put ({@code CREATED}).
 * Killed while it waits, it leaves its temporary file behind, as a killed upload does.
 *
 * <p>Usage: {@code StalledWriter <storeDir> <key>}.
 */
public final class StalledWriter {
  static final int FIRST = 1 << 20;
  static final int TOTAL = FIRST + 1000;

  private StalledWriter() {}

  public static void main(String[] args) throws Exception {
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Content stalling = new Content() {
      @Override
      public long length() {
        return TOTAL;
      }

      @Override
      public InputStream openStream() {
        return new InputStream() {
          private int sent;

          @Override
          public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (sent == FIRST) {
              System.out.println("WRITING");
              System.out.flush();
              try {
                stdin.readLine();
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
            if (sent == TOTAL) {
              return -1;
            }
            int n = Math.min(len, (sent < FIRST ? FIRST : TOTAL) - sent);
            java.util.Arrays.fill(b, off, off + n, (byte) 'x');
            sent += n;
            return n;
          }
        };
      }
    };
    System.out.println(new FileSystemStorage(Path.of(args[0])).putIfAbsent(args[1], stalling));
    System.out.flush();
  }
}
