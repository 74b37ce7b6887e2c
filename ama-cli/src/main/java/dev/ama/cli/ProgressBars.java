package dev.ama.cli;

import dev.ama.TransferListener;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Progress bars on stderr for hashing, uploading and downloading, drawn by the progressbar library
 * from what the core reports to a {@link TransferListener}. One bar per phase, only for phases that
 * move at least {@link #MIN_BYTES}, where waiting is noticeable; the bar redraws itself a few times
 * a second on its own thread and is erased when the phase ends, so it never mixes with results on
 * stdout or the one-line error that may follow.
 *
 * <p>Whether bars are shown at all is decided by the command ({@link AmaCommand#openClient}):
 * {@code AMA_PROGRESS=1} (set by {@link AmaCli#main} when a terminal is attached), not with
 * {@code --quiet} and not with {@code --json}.
 */
final class ProgressBars implements TransferListener {
  static final String ENV = "AMA_PROGRESS";
  static final long MIN_BYTES = 8L * 1024 * 1024;
  static final int REDRAW_MILLIS = 200;
  private static final long MIB = 1024L * 1024;
  private static final int FALLBACK_WIDTH = 80;

  private final Supplier<ProgressBarConsumer> consumers;
  private final Map<Phase, Bar> bars = new EnumMap<>(Phase.class);

  /** Bars drawn by the given consumers, a new one per bar. */
  ProgressBars(Supplier<ProgressBarConsumer> consumers) {
    this.consumers = consumers;
  }

  /** Bars on a terminal's stderr, as wide as the terminal. */
  static ProgressBars onTerminal(PrintWriter err) {
    return new ProgressBars(() -> new LineConsumer(err, ProgressBars::terminalWidth));
  }

  /** One bar and the counts behind it; the core calls from many threads at once. */
  private static final class Bar {
    final ProgressBar bar;
    final ProgressBarConsumer consumer;
    final long bytes;
    final int files;
    final AtomicLong done = new AtomicLong();
    final AtomicInteger filesDone = new AtomicInteger();

    Bar(ProgressBar bar, ProgressBarConsumer consumer, long bytes, int files) {
      this.bar = bar;
      this.consumer = consumer;
      this.bytes = bytes;
      this.files = files;
    }

    String filesMessage() {
      return " " + filesDone.get() + "/" + files + " files";
    }
  }

  @Override
  public void started(Phase phase, int files, long bytes) {
    if (bytes < MIN_BYTES) {
      return;
    }
    ProgressBarConsumer consumer = consumers.get();
    ProgressBar bar = new ProgressBarBuilder()
        .setTaskName(label(phase))
        .setInitialMax(bytes)
        .setUnit(" MiB", MIB)
        .showSpeed()
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(REDRAW_MILLIS)
        .clearDisplayOnFinish()
        .setConsumer(consumer)
        .build();
    Bar b = new Bar(bar, consumer, bytes, files);
    bar.setExtraMessage(b.filesMessage());
    Bar previous;
    synchronized (bars) {
      previous = bars.put(phase, b);
    }
    if (previous != null) {
      close(previous);
    }
  }

  @Override
  public void transferred(Phase phase, long n) {
    Bar b = bar(phase);
    if (b != null) {
      // Retried reads may count bytes twice; a bar past 100% would only confuse.
      b.bar.stepTo(Math.min(b.done.addAndGet(n), b.bytes));
    }
  }

  @Override
  public void fileDone(Phase phase, String path, boolean skipped) {
    Bar b = bar(phase);
    if (b != null) {
      b.filesDone.incrementAndGet();
      b.bar.setExtraMessage(b.filesMessage());
    }
  }

  @Override
  public void finished(Phase phase) {
    Bar b;
    synchronized (bars) {
      b = bars.remove(phase);
    }
    if (b == null) {
      return;
    }
    // Skipped files (already stored, already in place) report no bytes: when every file is done,
    // the phase is complete whatever the byte count says.
    if (b.filesDone.get() >= b.files) {
      b.bar.stepTo(b.bytes);
    }
    close(b);
  }

  private static void close(Bar b) {
    b.bar.close();
    // progressbar 0.10.1 skips erasing and closing when the bar is closed before its first
    // redraw, which happens for phases that end at once; the line must be erased all the same.
    if (b.consumer instanceof LineConsumer line && !line.closed()) {
      line.clear();
      line.close();
    }
  }

  /** Whether a bar is being shown for a phase; for tests. */
  boolean showing(Phase phase) {
    return bar(phase) != null;
  }

  private Bar bar(Phase phase) {
    synchronized (bars) {
      return bars.get(phase);
    }
  }

  static String label(Phase phase) {
    return switch (phase) {
      case HASHING -> "hashing";
      case UPLOADING -> "uploading";
      case DOWNLOADING -> "downloading";
      case VERIFYING -> "verifying";
    };
  }

  /**
   * The width of the terminal stderr is attached to, less one column so that the cursor never
   * wraps; 80 if it cannot be told.
   */
  static int terminalWidth() {
    try (Terminal terminal = TerminalBuilder.builder()
        .system(true)
        .systemOutput(TerminalBuilder.SystemOutput.SysErr)
        .dumb(true)
        .build()) {
      int width = terminal.getWidth();
      return width > 0 ? width - 1 : FALLBACK_WIDTH;
    } catch (Exception e) {
      return FALLBACK_WIDTH;
    }
  }

  /**
   * Writes a bar to one line of stderr: each frame after a carriage return, erased at the end with
   * the cursor back at the start of the line, so the next line printed starts clean. The library's
   * own console consumer would need a PrintStream and leaves a blank line behind.
   */
  static final class LineConsumer implements ProgressBarConsumer {
    private final PrintWriter err;
    private final IntSupplier width;
    private int maxLength = -1;
    private boolean closed;

    LineConsumer(PrintWriter err, IntSupplier width) {
      this.err = err;
      this.width = width;
    }

    @Override
    public synchronized int getMaxRenderedLength() {
      if (maxLength < 0) {
        maxLength = width.getAsInt();
      }
      return maxLength;
    }

    @Override
    public void accept(String frame) {
      synchronized (err) {
        err.print('\r');
        err.print(frame);
        err.flush();
      }
    }

    /** Blanks the line and puts the cursor back at its start. */
    @Override
    public void clear() {
      String blank = '\r' + " ".repeat(getMaxRenderedLength()) + '\r';
      synchronized (err) {
        err.print(blank);
        err.flush();
      }
    }

    @Override
    public void close() {
      synchronized (err) {
        err.flush();
        closed = true;
      }
    }

    boolean closed() {
      synchronized (err) {
        return closed;
      }
    }
  }
}
