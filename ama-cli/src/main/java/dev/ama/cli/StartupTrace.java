package dev.ama.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a command's start-up goes, for whoever tunes it: with {@code AMA_TRACE_STARTUP=1}, {@code
 * ama} prints on stderr, as it exits, the milliseconds from {@code main} to each named step (the
 * model of the command built, the settings read, the store opened...), and the JVM's own start
 * before {@code main}. Off, a mark costs one field read. docs/performance.md ("Where a cold
 * command's time goes") was measured with it.
 */
final class StartupTrace {
  /** The environment variable that turns the trace on. */
  static final String ENV = "AMA_TRACE_STARTUP";

  private static final boolean ON = System.getenv(ENV) != null && !System.getenv(ENV).equals("0");
  private static final long START = System.nanoTime();
  private static final List<String> MARKS = ON ? new ArrayList<>() : List.of();

  private StartupTrace() {}

  /** Records that {@code step} is done, if tracing. */
  static void mark(String step) {
    if (ON) {
      long micros = (System.nanoTime() - START) / 1_000;
      synchronized (MARKS) {
        MARKS.add(String.format("%8.1f ms  %s", micros / 1000.0, step));
      }
    }
  }

  /** Prints the marks, if tracing; called once, as the command exits. */
  static void print(PrintStream err) {
    if (ON) {
      mark("done");
      // JVM start to main: read only when tracing, as the management classes cost start-up too.
      long jvmMillis = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()
          - (System.nanoTime() - START) / 1_000_000;
      err.println("ama start-up trace (" + ENV + "): JVM start to main " + jvmMillis + " ms, then from main:");
      synchronized (MARKS) {
        MARKS.forEach(err::println);
      }
    }
  }
}
