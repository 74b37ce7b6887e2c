package dev.ama.storage.tck;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link ContractChild} in another JVM, started with this JVM's class path (so it finds the
 * backend's provider) and given the fixture's location and options: another process opening the
 * same store, as a second machine would.
 */
final class ChildJvm implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(90);

  private final Process process;
  private final BufferedWriter commands;
  private final BufferedReader answers;
  private final ExecutorService reader;
  private final Path log;
  private boolean failed;

  private ChildJvm(Process process, Path log) {
    this.process = process;
    this.log = log;
    this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.reader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tck-child-reader");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts a child that opens the fixture's store and waits until it has.
   *
   * @param maxHeap the child's {@code -Xmx} in MiB, or 0 for the JVM's default
   */
  static ChildJvm start(StorageFixture fixture, long maxHeap) throws IOException {
    String location = fixture.location().orElseThrow(
        () -> new IllegalStateException("the binding gave no openedAs(location, options) for a child process"));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // Quick to start and small: these processes only call the backend.
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k"));
    if (maxHeap > 0) {
      command.add("-Xmx" + maxHeap + "m");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ContractChild.class.getName()));
    Path log = Files.createTempFile("ama-tck-child-", ".log");
    Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    ChildJvm child = new ChildJvm(process, log);
    try {
      child.send(ContractChild.encode(location));
      child.send(ContractChild.encodeOptions(fixture.options()));
      String ready = child.answer(START, "opening " + location);
      if (!ContractChild.READY.equals(ready)) {
        throw child.failure("could not open " + location + " in a child process: " + ready);
      }
      return child;
    } catch (IOException | RuntimeException | Error e) {
      child.failed = true;
      child.close();
      throw e;
    }
  }

  /** Sends a command without waiting for its answer, so several children can start at once. */
  void send(String line) throws IOException {
    commands.write(line);
    commands.write('\n');
    commands.flush();
  }

  /** The answer to the last command sent. */
  String answer(Duration within, String what) {
    Future<String> line = reader.submit(answers::readLine);
    try {
      String answer = line.get(within.toMillis(), TimeUnit.MILLISECONDS);
      if (answer == null) {
        throw failure("the child process exited while " + what + " (exit code " + exitCode() + ")");
      }
      return answer;
    } catch (TimeoutException e) {
      line.cancel(true);
      throw failure("the child process did not answer within " + within + " while " + what);
    } catch (ExecutionException e) {
      throw failure("could not read the child process's answer while " + what + ": " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure("interrupted while " + what);
    }
  }

  /** An assertion failure carrying the end of the child's standard error. */
  AssertionError failure(String message) {
    failed = true;
    String tail;
    try {
      String all = Files.readString(log, StandardCharsets.UTF_8);
      tail = all.length() > 3000 ? "..." + all.substring(all.length() - 3000) : all;
    } catch (IOException e) {
      tail = "(its log " + log + " is unreadable: " + e + ")";
    }
    return new AssertionError(message + (tail.isBlank() ? "" : "; the child's standard error:\n" + tail));
  }

  private String exitCode() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (process.isAlive()) {
        send("EXIT");
      }
    } catch (IOException ignored) {
      // It is gone already; destroying it below is all that is left to do.
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      reader.shutdownNow();
      if (!failed) {
        Files.deleteIfExists(log);
      }
    }
  }
}
