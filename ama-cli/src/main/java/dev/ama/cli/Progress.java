package dev.ama.cli;

import dev.ama.TransferListener;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A one-line progress display on stderr for hashing, uploading and downloading, redrawn in place
 * with a carriage return at most a few times a second and erased when the phase ends, so it never
 * mixes with results on stdout or the one-line error that may follow. Shown only when stderr is a
 * terminal ({@code AMA_PROGRESS=1}, set by {@link AmaCli#main}), and only for phases that move at
 * least {@link #MIN_BYTES}, where waiting is noticeable.
 */
final class Progress implements TransferListener {
  static final String ENV = "AMA_PROGRESS";
  static final long MIN_BYTES = 8L * 1024 * 1024;
  private static final long REDRAW_NANOS = 200_000_000L;

  private final PrintWriter err;
  private final LongSupplier nanoTime;
  private final AtomicLong done = new AtomicLong();
  private final AtomicInteger filesDone = new AtomicInteger();
  private volatile Phase phase;
  private volatile int files;
  private volatile long bytes;
  private volatile boolean shown;
  private long lastDraw;
  private int width;

  Progress(PrintWriter err, LongSupplier nanoTime) {
    this.err = err;
    this.nanoTime = nanoTime;
  }

  @Override
  public void started(Phase phase, int files, long bytes) {
    this.phase = phase;
    this.files = files;
    this.bytes = bytes;
    this.shown = bytes >= MIN_BYTES;
    done.set(0);
    filesDone.set(0);
    synchronized (this) {
      lastDraw = nanoTime.getAsLong() - REDRAW_NANOS;
    }
  }

  @Override
  public void transferred(Phase phase, long n) {
    done.addAndGet(n);
    draw(false);
  }

  @Override
  public void fileDone(Phase phase, String path, boolean skipped) {
    filesDone.incrementAndGet();
    draw(false);
  }

  @Override
  public synchronized void finished(Phase phase) {
    if (shown && width > 0) {
      err.print("\r" + " ".repeat(width) + "\r");
      err.flush();
    }
    width = 0;
    shown = false;
  }

  private synchronized void draw(boolean force) {
    if (!shown) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (!force && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    long total = Math.max(bytes, 1);
    long moved = Math.min(done.get(), bytes);
    String line = String.format(Locale.ROOT, "%s %d/%d files  %s / %s  %3d%%",
        verb(phase), filesDone.get(), files, Format.size(moved), Format.size(bytes), moved * 100 / total);
    String padded = line.length() < width ? line + " ".repeat(width - line.length()) : line;
    width = Math.max(width, line.length());
    err.print("\r" + padded);
    err.flush();
  }

  private static String verb(Phase phase) {
    return switch (phase) {
      case HASHING -> "hashing    ";
      case UPLOADING -> "uploading  ";
      case DOWNLOADING -> "downloading";
    };
  }
}
