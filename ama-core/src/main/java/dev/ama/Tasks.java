package dev.ama;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's threads: a bounded pool that runs a batch of tasks (hash these files, send these
 * blobs) and a separate pool for the ranges of large downloads, so a file task waiting on its
 * ranges can never starve them.
 *
 * <p>Tasks classify their own failures as {@link AmaException}s where they happen (a local file, the
 * store, the cache); a batch reports the first failure as it is, after cancelling the rest and
 * letting those already running finish their clean-up.
 */
final class Tasks implements AutoCloseable {
  private static final Duration CLEAN_UP = Duration.ofSeconds(30);

  private final ExecutorService files;
  private final ExecutorService ranges;

  Tasks(TransferSettings settings) {
    this.files = Executors.newFixedThreadPool(settings.concurrency(), daemonThreads("ama-transfer-"));
    this.ranges = Executors.newFixedThreadPool(
        Math.max(settings.rangeParallelism(), settings.concurrency()), daemonThreads("ama-range-"));
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** The threads that fetch ranges of large blobs. */
  Executor ranges() {
    return ranges;
  }

  /** Runs tasks on the file threads and returns their results in order, or the first failure. */
  <T> List<T> run(List<? extends Callable<T>> tasks) {
    if (tasks.size() == 1) {
      try {
        List<T> one = new ArrayList<>();
        one.add(tasks.get(0).call());
        return one;
      } catch (Exception e) {
        throw rethrow(e);
      }
    }
    Running running = new Running();
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> t : tasks) {
      futures.add(files.submit(() -> {
        if (!running.enter()) {
          return null;
        }
        try {
          return t.call();
        } finally {
          running.exit();
        }
      }));
    }
    List<T> out = new ArrayList<>();
    try {
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (ExecutionException e) {
      stop(futures, running);
      throw rethrow(e.getCause());
    } catch (InterruptedException e) {
      stop(futures, running);
      Thread.currentThread().interrupt();
      throw new AmaException("interrupted", e);
    }
  }

  /** Runs actions that return nothing; see {@link #run(List)}. */
  void runAll(List<? extends Action> actions) {
    List<Callable<Void>> tasks = new ArrayList<>(actions.size());
    for (Action a : actions) {
      tasks.add(() -> {
        a.run();
        return null;
      });
    }
    run(tasks);
  }

  /** A task without a result. */
  @FunctionalInterface
  interface Action {
    void run() throws Exception;
  }

  /**
   * Cancels the other tasks and waits for those already running to finish, so their clean-up
   * (temporary files) is done before the failure reaches a caller that may exit the JVM.
   */
  private static void stop(List<? extends Future<?>> futures, Running running) {
    running.stop();
    futures.forEach(f -> f.cancel(true));
    running.awaitIdle(CLEAN_UP);
  }

  /**
   * Whether an I/O failure is the thread being interrupted (a batch cancelled, a caller giving
   * up) rather than a fault of the file or the store it was reading or writing.
   */
  static boolean isInterruption(java.io.IOException e) {
    return e instanceof java.io.InterruptedIOException || e instanceof java.nio.channels.ClosedByInterruptException;
  }

  /** The error for work stopped by an interruption; it keeps the thread's interrupt status. */
  static AmaException interrupted(String what, Throwable cause) {
    Thread.currentThread().interrupt();
    return new AmaException("interrupted while " + what + "; nothing was left under a final name", cause);
  }

  /** A task's failure as the caller sees it: classified ones as they are, anything else unexpected. */
  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new AmaException("unexpected failure: " + t, t);
  }

  /** Counts the tasks of one batch that are running; stopped, it lets no more start. */
  private static final class Running {
    private int count;
    private boolean stopped;

    synchronized boolean enter() {
      if (stopped) {
        return false;
      }
      count++;
      return true;
    }

    synchronized void exit() {
      count--;
      notifyAll();
    }

    synchronized void stop() {
      stopped = true;
    }

    synchronized void awaitIdle(Duration max) {
      long deadline = System.nanoTime() + max.toNanos();
      try {
        while (count > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          wait(Math.max(1, left / 1_000_000));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops both pools; tasks still running are interrupted. */
  @Override
  public void close() {
    files.shutdownNow();
    ranges.shutdownNow();
  }
}
