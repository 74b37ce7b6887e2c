package dev.ama;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serving handle on an alias: the version it points at, loaded into the local cache, swapped for
 * the next one when the alias moves, without a restart. Made by {@link AssetClient#watch}.
 *
 * <pre>{@code
 * try (AssetWatch watch = client.watch("rnn_models", "prod", WatchOptions.defaults().check(c -> smokeTest(c)))) {
 *   // per request:
 *   LoadedAsset model = watch.current();           // a volatile read: no request, no allocation
 *   // or, for work that must keep its files across swaps:
 *   try (LoadedAsset held = watch.acquire()) { ... }
 * }
 * }</pre>
 *
 * <p><b>Moves.</b> Every poll interval the watch resolves the alias through a Caffeine cache,
 * refreshed on the poll schedule; {@link #current()} never resolves. When the alias points at a
 * version other than the current one, the watch fetches it into the cache (only the selected
 * files), hashes every byte of its folder, runs the check, and only then swaps it in with one
 * volatile write; listeners hear {@link Listener#moved}. A failure keeps the old version serving
 * and is reported as a {@link MoveFailure}: a fetch that failed (the store, the local disk) is
 * tried again at the next poll; a version whose bytes are wrong or that failed its check is not
 * tried again until the alias moves to another version.
 *
 * <p><b>What {@link #current()} guarantees.</b> The object returned never changes. Its version's
 * files stay in the cache while it is current and until the swap after the next one: the watch
 * holds the current and the previous version, so a reader that took {@code current()} just before
 * a swap keeps its files at least until the alias moves once more and that version is ready. Work
 * that must keep its files longer, whatever happens to the alias, uses {@link #acquire()}.
 *
 * <p><b>Staleness.</b> If the store cannot be reached at the start, the watch starts on the
 * version this machine last loaded for the alias, {@link LoadedAsset#stale()} says so, and the
 * listeners hear {@link Listener#storeUnreachable} (strict options refuse such a start instead).
 * While the store is unreachable the watch keeps serving what it has and tells the listeners at
 * every poll; once the store answers again with the same version, {@code current()} becomes a copy
 * marked as coming from the store, without a swap.
 *
 * <p>Thread-safe. Polls, fetches, checks and listeners run on one thread: the watch's own (a
 * daemon) or the {@link WatchOptions#scheduler} given; a poll never overlaps the previous one.
 */
public final class AssetWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AssetWatch.class);

  /**
   * A caller's check of a new version before it is served, such as loading the model and running a
   * smoke test. The candidate's files are verified and held while it runs.
   */
  @FunctionalInterface
  public interface Check {
    /**
     * Checks a candidate version; returning normally accepts it.
     *
     * @throws Exception to refuse it; the exception's message is the reason reported
     */
    void check(LoadedAsset candidate) throws Exception;
  }

  /**
   * Hears what a watch does. Every method has an empty default; listeners run on the watch's
   * thread, and one that throws is logged and does not stop the watch.
   */
  public interface Listener {
    /**
     * The alias moved and its new version is ready and swapped in. The assets are the watch's own:
     * do not close them; {@link AssetWatch#acquire()} gives one to keep.
     */
    default void moved(LoadedAsset from, LoadedAsset to) {}

    /** The alias moved, but its new version could not be made ready; the old one keeps serving. */
    default void moveFailed(MoveFailure failure) {}

    /**
     * The store could not be reached to resolve the alias; the current version keeps serving.
     *
     * @param lastResolved when the alias was last resolved, if ever on this machine
     */
    default void storeUnreachable(StoreException cause, Optional<Instant> lastResolved) {}

    /**
     * The store answered, but the alias resolves to nothing servable: it was removed ({@link
     * AliasRemovedException}), its log is damaged, or similar. The current version keeps serving.
     */
    default void resolutionFailed(AmaException cause) {}
  }

  /** Why a new version of the alias was not swapped in. */
  public enum Reason {
    /** It could not be fetched or placed: the store or the local disk failed. Tried again at the next poll. */
    FETCH_FAILED,
    /**
     * Its bytes do not match their digests, the selection matches none of its files, or the
     * client's trust policy refuses it or the move ({@link UntrustedException}). Not tried again
     * until the alias moves to another version.
     */
    BAD_VERSION,
    /** The caller's check refused it. Not tried again until the alias moves to another version. */
    CHECK_FAILED
  }

  /**
   * A move that did not happen.
   *
   * @param target the version the alias points at, which is not served
   * @param reason what went wrong
   * @param cause the error, or what the check threw
   * @param retried whether the watch tries this version again at the next poll
   */
  public record MoveFailure(Digest target, Reason reason, Exception cause, boolean retried) {
    /** Validates the fields. */
    public MoveFailure {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(cause, "cause");
    }

    /** A one-line account: the version, the reason and the cause's message. */
    public String message() {
      return "version " + target.shortHex() + " not served (" + reason + "): "
          + (cause.getMessage() != null ? cause.getMessage() : cause.toString())
          + (retried ? "; trying again at the next poll" : "; not tried again until the alias moves");
    }
  }

  /** What one resolution of the alias gave: its head entry, or why there is none. */
  private record Resolution(AliasEntry entry, AmaException failure, Instant at) {}

  private final String type;
  private final String alias;
  private final WatchOptions options;
  private final Queries queries;
  private final Downloader downloader;
  private final LocalCache cache;
  private final Clock clock;
  private final LoadingCache<String, Resolution> resolutions;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Object swap = new Object();
  private volatile LoadedAsset current;
  private volatile Instant lastResolved;
  /** The version before the current one, held until the next swap; guarded by {@link #swap}. */
  private LoadedAsset previous;
  /** Guarded by {@link #swap}. */
  private boolean closed;
  /** A version that failed its check or had bad bytes; only the poll thread uses it. */
  private Digest refused;
  private ScheduledFuture<?> polls;

  private AssetWatch(String type, String alias, WatchOptions options, Queries queries, Downloader downloader,
      LocalCache cache, Clock clock) {
    this.type = type;
    this.alias = alias;
    this.options = options;
    this.queries = queries;
    this.downloader = downloader;
    this.cache = cache;
    this.clock = clock;
    // Refreshes run on the calling thread (the poll's), so a poll sees its own resolution.
    this.resolutions = Caffeine.newBuilder().executor(Runnable::run).maximumSize(1).build(k -> resolve());
    this.listeners.addAll(options.listeners());
    this.ownsScheduler = options.scheduler().isEmpty();
    this.scheduler = options.scheduler().orElseGet(() -> Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ama-watch-" + type + "/" + alias);
      t.setDaemon(true);
      return t;
    }));
  }

  static AssetWatch start(String type, String alias, WatchOptions options, Queries queries, Downloader downloader,
      LocalCache cache, Clock clock) {
    AssetWatch w = new AssetWatch(type, alias, options, queries, downloader, cache, clock);
    LoadedAsset first;
    try {
      first = downloader.load(type, alias, options.loadOptions());
    } catch (RuntimeException e) {
      w.shutDownScheduler();
      throw e;
    }
    w.current = first;
    if (first.stale()) {
      w.lastResolved = first.lastResolved().orElse(null);
      StoreException cause = first.staleCause().orElseThrow();
      w.tell(l -> l.storeUnreachable(cause, first.lastResolved()));
    } else {
      w.lastResolved = first.lastResolved().orElseThrow();
    }
    long every = options.pollInterval().toNanos();
    w.polls = w.scheduler.scheduleWithFixedDelay(w::poll, every, every, TimeUnit.NANOSECONDS);
    return w;
  }

  /**
   * The version served now: an immutable object, read with one volatile read (no request, no
   * allocation). Its files stay in the cache at least until the swap after the next one (see the
   * class description); {@link #acquire()} for longer. After {@link #close()}, the last version,
   * no longer held.
   */
  public LoadedAsset current() {
    return current;
  }

  /**
   * The version served now, under a hold of the caller's: its files stay in the cache, whatever
   * the alias does, until the returned object is closed. Use it in try-with-resources.
   *
   * @throws IllegalStateException if the watch is closed
   * @throws LocalFileException if the hold cannot be taken (the cache's lock files)
   */
  public LoadedAsset acquire() {
    synchronized (swap) {
      if (closed) {
        throw new IllegalStateException("the watch of " + type + "/" + alias + " is closed; acquire before closing it,"
            + " or start a new watch");
      }
      // Under the lock, the watch still holds the current version, so it cannot be evicted between
      // reading it and holding it.
      return current.heldAgain(cache);
    }
  }

  /** Adds a listener; it hears what happens from the next poll on. */
  public void listen(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** When the alias was last resolved against the store, if ever on this machine. */
  public Optional<Instant> lastResolved() {
    return Optional.ofNullable(lastResolved);
  }

  /** The asset type followed. */
  public String type() {
    return type;
  }

  /** The alias followed. */
  public String alias() {
    return alias;
  }

  /**
   * Stops polling and releases the watch's holds (the current and the previous version); holds
   * taken with {@link #acquire()} stay until their owners close them. A poll in progress is
   * interrupted, and a version it was preparing is not swapped in. Closing twice does nothing.
   */
  @Override
  public void close() {
    synchronized (swap) {
      if (closed) {
        return;
      }
      closed = true;
    }
    polls.cancel(ownsScheduler);
    shutDownScheduler();
    synchronized (swap) {
      current.close();
      if (previous != null) {
        previous.close();
      }
    }
  }

  private void shutDownScheduler() {
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  private Resolution resolve() {
    try {
      AliasEntry head = queries.require(type, alias);
      return new Resolution(head, null, clock.instant());
    } catch (AmaException e) {
      return new Resolution(null, e, clock.instant());
    }
  }

  /** One poll: resolve, and if the alias moved, prepare the new version and swap it in. */
  private void poll() {
    try {
      Resolution r = resolutions.refresh(alias).join();
      if (r.failure() != null) {
        reportResolutionFailure(r.failure());
        return;
      }
      lastResolved = r.at();
      downloader.resolvedAlias(type, alias, r.at());
      Digest target = r.entry().version();
      LoadedAsset now = current;
      if (target.equals(now.version())) {
        if (now.stale()) {
          confirm(now, r.at());
        }
        refused = null;
        return;
      }
      if (target.equals(refused)) {
        return;
      }
      refused = null;
      prepareAndSwap(r.entry(), r.at());
    } catch (RuntimeException e) {
      // A poll must never end the schedule: a later one may succeed.
      LOG.warn("watch of {}/{}: poll failed unexpectedly; trying again at the next poll", type, alias, e);
    }
  }

  private void reportResolutionFailure(AmaException failure) {
    if (failure instanceof StoreException unreachable) {
      Optional<Instant> last = lastResolved();
      tell(l -> l.storeUnreachable(unreachable, last));
    } else {
      AmaException reported = failure;
      if (failure instanceof AliasRemovedException removed) {
        try {
          downloader.removedAlias(removed);
        } catch (UntrustedException e) {
          reported = e;
        }
      }
      AmaException why = reported;
      tell(l -> l.resolutionFailed(why));
    }
  }

  private void prepareAndSwap(AliasEntry head, Instant resolved) {
    Digest target = head.version();
    LoadedAsset next;
    try {
      AssetVersion v = downloader.manifest(target);
      downloader.checkTrust(head, v);
      next = downloader.loadResolved(v, options.loadOptions().selection(), true, resolved);
    } catch (IntegrityException | NotFoundException e) {
      refused = target;
      failed(new MoveFailure(target, Reason.BAD_VERSION, e, false));
      return;
    } catch (AmaException e) {
      failed(new MoveFailure(target, Reason.FETCH_FAILED, e, true));
      return;
    }
    if (options.check().isPresent()) {
      try {
        options.check().get().check(next);
      } catch (Exception e) {
        next.close();
        refused = target;
        failed(new MoveFailure(target, Reason.CHECK_FAILED, e, false));
        return;
      }
    }
    LoadedAsset from;
    synchronized (swap) {
      if (closed) {
        next.close();
        return;
      }
      from = current;
      if (previous != null) {
        previous.close();
      }
      previous = from;
      current = next;
    }
    downloader.servedAlias(type, alias, target, resolved);
    tell(l -> l.moved(from, next));
  }

  /** The store answers again with the version served from the cache: the same files, now confirmed. */
  private void confirm(LoadedAsset stale, Instant resolved) {
    synchronized (swap) {
      if (closed || current != stale) {
        return;
      }
      current = stale.confirmed(resolved, cache);
      stale.close();
    }
    downloader.servedAlias(type, alias, stale.version(), resolved);
  }

  private void failed(MoveFailure f) {
    LOG.warn("watch of {}/{}: {}", type, alias, f.message());
    tell(l -> l.moveFailed(f));
  }

  private void tell(Consumer<Listener> event) {
    for (Listener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("watch of {}/{}: a listener failed ({}); the watch goes on", type, alias, e.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "AssetWatch[" + type + "/" + alias + " at " + current.version().shortHex() + ", every "
        + options.pollInterval() + "]";
  }
}
