package dev.ama;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * Reads a large object as consecutive ranges fetched in parallel, yielding the bytes in order, so
 * a single sequential consumer (which hashes while it writes) gets several connections' worth of
 * throughput. At most {@code parallelism} parts of one stream are in memory at once, and every
 * part in flight holds a permit from a semaphore shared by all the streams of a client, so memory
 * stays bounded by {@code (permits + streams) × partSize} however many large files download at
 * once. A stream with no part in flight waits for a permit; one that has parts only takes spare
 * permits, so streams never wait on each other in a cycle.
 */
final class ParallelRangeInputStream extends InputStream {
  /** Opens one range of the object. */
  interface RangeOpener {
    InputStream open(long offset, long length) throws IOException;
  }

  private final RangeOpener opener;
  private final long size;
  private final int partSize;
  private final int parallelism;
  private final Executor executor;
  private final java.util.concurrent.Semaphore permits;
  private final Deque<CompletableFuture<byte[]>> inFlight = new ArrayDeque<>();
  private long nextOffset;
  private byte[] current = new byte[0];
  private int pos;
  private boolean closed;
  private final String name;
  private final String remedy;

  ParallelRangeInputStream(RangeOpener opener, long size, int partSize, int parallelism, Executor executor,
      java.util.concurrent.Semaphore permits) throws InterruptedIOException {
    this(opener, size, partSize, parallelism, executor, permits, "the object", "");
  }

  /**
   * @param name the object, for messages, such as "blob blobs/sha256/ab/ab… of 'model.h5' in s3://b/p"
   * @param remedy what to do if the object is damaged, ending the message; may be empty
   */
  ParallelRangeInputStream(RangeOpener opener, long size, int partSize, int parallelism, Executor executor,
      java.util.concurrent.Semaphore permits, String name, String remedy) throws InterruptedIOException {
    this.name = name;
    this.remedy = remedy;
    this.opener = opener;
    this.size = size;
    this.partSize = partSize;
    this.parallelism = parallelism;
    this.executor = executor;
    this.permits = permits;
    fill();
  }

  private void fill() throws InterruptedIOException {
    while (inFlight.size() < parallelism && nextOffset < size) {
      if (inFlight.isEmpty()) {
        try {
          permits.acquire();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting to read a part");
        }
      } else if (!permits.tryAcquire()) {
        return;
      }
      long offset = nextOffset;
      int length = (int) Math.min(partSize, size - offset);
      nextOffset += length;
      inFlight.add(CompletableFuture.supplyAsync(() -> fetch(offset, length), executor));
    }
  }

  private byte[] fetch(long offset, int length) {
    try (InputStream in = opener.open(offset, length)) {
      // Read straight into the part's array: readNBytes(int) would gather it in 8 KiB pieces
      // and copy them once more, which doubled the client's CPU per downloaded byte.
      byte[] buf = new byte[length];
      int n = in.readNBytes(buf, 0, length);
      if (n != length) {
        // The store holds fewer bytes than the manifest says: the object, not the reader, is wrong.
        throw new IntegrityException(name + " is shorter than the " + size + " bytes its manifest says: a range of "
            + length + " bytes at offset " + offset + " ended after " + n + " bytes. Nothing was written under the"
            + " final name" + (remedy.isEmpty() ? "" : ". " + remedy));
      }
      return buf;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private boolean advance() throws IOException {
    if (pos < current.length) {
      return true;
    }
    CompletableFuture<byte[]> next = inFlight.poll();
    if (next == null) {
      return false;
    }
    try {
      try {
        current = next.get();
      } finally {
        permits.release();
      }
      pos = 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading parts");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof java.io.UncheckedIOException u) {
        throw u.getCause();
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IOException(c);
    }
    fill();
    return true;
  }

  @Override
  public int read() throws IOException {
    return advance() ? current[pos++] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!advance()) {
      return -1;
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      inFlight.forEach(f -> {
        f.cancel(true);
        permits.release();
      });
      inFlight.clear();
      current = new byte[0];
    }
  }
}
