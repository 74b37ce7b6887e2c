package dev.ama;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link AssetClient#probe(ProbeOptions)} tries: how many rounds of racing writers, how many
 * threads and child processes race, and how far the store's clock may be from this machine's.
 * Immutable; each {@code with} method returns a copy.
 *
 * <p>The child processes open the store themselves, by location and options (sent through a pipe,
 * never on a command line, since options may hold credentials). A client built with {@link
 * AssetClient.Builder#store(String)} gives them its location; a client built around an open {@link
 * dev.ama.spi.Storage} needs {@link #childStore(String, Map)}, or the race between processes is
 * reported as unknown.
 */
public final class ProbeOptions {
  /** The defaults: 20 rounds, 8 threads, 2 child processes, a tolerance of one minute. */
  public static final ProbeOptions DEFAULTS = new ProbeOptions(20, 8, 2, Duration.ofMinutes(1), null, Map.of());

  private final int rounds;
  private final int threads;
  private final int processes;
  private final Duration clockTolerance;
  private final String childLocation;
  private final Map<String, String> childOptions;

  private ProbeOptions(int rounds, int threads, int processes, Duration clockTolerance, String childLocation,
      Map<String, String> childOptions) {
    this.rounds = rounds;
    this.threads = threads;
    this.processes = processes;
    this.clockTolerance = clockTolerance;
    this.childLocation = childLocation;
    this.childOptions = childOptions;
  }

  /**
   * How many keys the racing writers fight over, one race per key.
   *
   * @throws InvalidInputException unless 1 to 10000
   */
  public ProbeOptions withRounds(int rounds) {
    return new ProbeOptions(between(rounds, 1, 10_000, "rounds"), threads, processes, clockTolerance, childLocation,
        childOptions);
  }

  /**
   * How many threads of this process race for each key.
   *
   * @throws InvalidInputException unless 2 to 64
   */
  public ProbeOptions withThreads(int threads) {
    return new ProbeOptions(rounds, between(threads, 2, 64, "threads"), processes, clockTolerance, childLocation,
        childOptions);
  }

  /**
   * How many child processes race with this one for each key; 0 skips the race between processes
   * (it is then reported as unknown).
   *
   * @throws InvalidInputException unless 0 to 8
   */
  public ProbeOptions withProcesses(int processes) {
    return new ProbeOptions(rounds, threads, between(processes, 0, 8, "processes"), clockTolerance, childLocation,
        childOptions);
  }

  /**
   * How far the store's modification times may be from this machine's clock before the clock is
   * reported as skewed.
   *
   * @throws InvalidInputException if negative or zero
   */
  public ProbeOptions withClockTolerance(Duration tolerance) {
    Objects.requireNonNull(tolerance, "tolerance");
    if (tolerance.isNegative() || tolerance.isZero()) {
      throw new InvalidInputException("the probe's clock tolerance must be positive, not " + tolerance
          + "; give a duration such as one minute");
    }
    return new ProbeOptions(rounds, threads, processes, tolerance, childLocation, childOptions);
  }

  /**
   * The location and options with which the child processes open the store, for a client built
   * around an open storage (a client built from a location passes its own).
   */
  public ProbeOptions childStore(String location, Map<String, String> options) {
    Objects.requireNonNull(location, "location");
    if (location.isBlank()) {
      throw new InvalidInputException("the probe's child store location is blank; give the location the store opens from");
    }
    return new ProbeOptions(rounds, threads, processes, clockTolerance, location, Map.copyOf(options));
  }

  /** How many keys the racing writers fight over. */
  public int rounds() {
    return rounds;
  }

  /** How many threads of this process race for each key. */
  public int threads() {
    return threads;
  }

  /** How many child processes race with this one for each key. */
  public int processes() {
    return processes;
  }

  /** How far the store's clock may be from this machine's. */
  public Duration clockTolerance() {
    return clockTolerance;
  }

  /** The location child processes open, if given by {@link #childStore}. */
  public Optional<String> childLocation() {
    return Optional.ofNullable(childLocation);
  }

  /** The options child processes open the store with. */
  public Map<String, String> childOptions() {
    return childOptions;
  }

  private static int between(int value, int min, int max, String what) {
    if (value < min || value > max) {
      throw new InvalidInputException("the probe's " + what + " must be between " + min + " and " + max + ", not "
          + value);
    }
    return value;
  }
}
