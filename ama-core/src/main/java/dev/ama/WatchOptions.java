package dev.ama;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * How {@link AssetClient#watch(String, String, WatchOptions)} follows an alias. Immutable; each
 * method returns a copy.
 *
 * <pre>{@code
 * AssetWatch watch = client.watch("rnn_models", "prod", WatchOptions.defaults()
 *     .pollInterval(Duration.ofSeconds(10))
 *     .check(candidate -> Model.load(candidate.file("model.h5")).smokeTest())
 *     .listener(new AssetWatch.Listener() {
 *       public void moveFailed(AssetWatch.MoveFailure f) { alert(f.message()); }
 *     }));
 * }</pre>
 */
public final class WatchOptions {
  /** The shortest poll interval accepted; shorter ones would poll the store in a tight loop. */
  public static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);

  private static final WatchOptions DEFAULTS =
      new WatchOptions(Duration.ofSeconds(30), null, LoadOptions.defaults(), List.of(), null);

  private final Duration pollInterval;
  private final AssetWatch.Check check;
  private final LoadOptions load;
  private final List<AssetWatch.Listener> listeners;
  private final ScheduledExecutorService scheduler;

  private WatchOptions(Duration pollInterval, AssetWatch.Check check, LoadOptions load,
      List<AssetWatch.Listener> listeners, ScheduledExecutorService scheduler) {
    this.pollInterval = pollInterval;
    this.check = check;
    this.load = load;
    this.listeners = listeners;
    this.scheduler = scheduler;
  }

  /**
   * A poll every 30 seconds, no check, every file, the cached version served if the store is
   * unreachable at the start, and a thread of the watch's own.
   */
  public static WatchOptions defaults() {
    return DEFAULTS;
  }

  /**
   * A copy polling the store at this interval (measured from the end of one poll to the start of
   * the next, so a long transfer never makes polls overlap).
   *
   * @throws InvalidInputException if the interval is shorter than {@link #MIN_POLL_INTERVAL}
   */
  public WatchOptions pollInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(MIN_POLL_INTERVAL) < 0) {
      throw new InvalidInputException("the poll interval " + interval + " is shorter than " + MIN_POLL_INTERVAL
          + "; a watch would poll the store in a tight loop. Give at least " + MIN_POLL_INTERVAL.toMillis()
          + " ms (30 s is the default)");
    }
    return new WatchOptions(interval, check, load, listeners, scheduler);
  }

  /**
   * A copy running a check on each new version before it is swapped in, such as loading the model
   * and running a smoke test on it. The check runs on the watch's thread with the candidate's
   * files verified and held; if it throws, the old version keeps serving and listeners hear a
   * {@link AssetWatch.MoveFailure} whose message is the exception's.
   *
   * @throws IllegalStateException if a check was already given
   */
  public WatchOptions check(AssetWatch.Check check) {
    Objects.requireNonNull(check, "check");
    if (this.check != null) {
      throw new IllegalStateException("a check was already given (" + this.check + "); combine the checks in one");
    }
    return new WatchOptions(pollInterval, check, load, listeners, scheduler);
  }

  /**
   * A copy refusing to start from the cache when the store cannot be reached: {@link
   * AssetClient#watch} throws the {@link StoreException} instead. Once started, a watch keeps
   * serving its version while the store is unreachable and tells its listeners.
   */
  public WatchOptions strict() {
    return new WatchOptions(pollInterval, check, load.strict(), listeners, scheduler);
  }

  /** A copy loading only the selected files of each version (see {@link LoadOptions#files}). */
  public WatchOptions files(FileSelection selection) {
    return new WatchOptions(pollInterval, check, load.files(selection), listeners, scheduler);
  }

  /** A copy with one more listener, which hears from the start (an unreachable store at the start included). */
  public WatchOptions listener(AssetWatch.Listener listener) {
    List<AssetWatch.Listener> more = new ArrayList<>(listeners);
    more.add(Objects.requireNonNull(listener, "listener"));
    return new WatchOptions(pollInterval, check, load, List.copyOf(more), scheduler);
  }

  /**
   * A copy polling on the caller's scheduler (for example one shared by many watches) instead of
   * a daemon thread of the watch's own. Polls, fetches, checks and listeners run on it; closing
   * the watch cancels its polls but leaves the scheduler running.
   */
  public WatchOptions scheduler(ScheduledExecutorService scheduler) {
    return new WatchOptions(pollInterval, check, load, listeners, Objects.requireNonNull(scheduler, "scheduler"));
  }

  /** The poll interval. */
  public Duration pollInterval() {
    return pollInterval;
  }

  /** The check run on each new version, if any. */
  public Optional<AssetWatch.Check> check() {
    return Optional.ofNullable(check);
  }

  /** How each version is loaded: the file selection, and whether the start is strict. */
  public LoadOptions loadOptions() {
    return load;
  }

  /** The listeners given here, in order. */
  public List<AssetWatch.Listener> listeners() {
    return listeners;
  }

  /** The caller's scheduler, if one was given. */
  public Optional<ScheduledExecutorService> scheduler() {
    return Optional.ofNullable(scheduler);
  }

  @Override
  public String toString() {
    return "WatchOptions[every " + pollInterval + (check != null ? ", checked" : "") + ", " + load + "]";
  }
}
