package dev.ama.testing;

import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A storage whose objects can be made to look older than they are, deterministically and without
 * sleeping: {@link #ageAll(Duration)} shifts the reported modification time of every object that
 * exists now, while objects written afterwards report their real time. It can also report times
 * that are plainly wrong ({@link #reportTimes}), like a broken backend.
 */
public final class AgingStorage extends ForwardingStorage {
  private final Map<String, Duration> shifts = new ConcurrentHashMap<>();
  private volatile UnaryOperator<Instant> listedTimes = UnaryOperator.identity();
  private volatile UnaryOperator<Instant> statTimes = UnaryOperator.identity();

  public AgingStorage(Storage delegate) {
    super(delegate);
  }

  /** Makes every object that exists now look {@code by} older (again, if called again). */
  public void ageAll(Duration by) throws IOException {
    try (Stream<ObjectInfo> s = delegate().list("")) {
      s.forEach(o -> shifts.merge(o.key(), by, Duration::plus));
    }
  }

  /** Reports every time through these functions, in listings and in stats: a broken backend. */
  public void reportTimes(UnaryOperator<Instant> listed, UnaryOperator<Instant> stat) {
    this.listedTimes = listed;
    this.statTimes = stat;
  }

  private ObjectInfo shifted(ObjectInfo o, UnaryOperator<Instant> times) {
    Duration d = shifts.getOrDefault(o.key(), Duration.ZERO);
    return new ObjectInfo(o.key(), o.size(), times.apply(o.lastModified().minus(d)));
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    return super.stat(key).map(o -> shifted(o, statTimes));
  }

  @Override
  public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
    return super.list(prefix, startAfter).map(o -> shifted(o, listedTimes));
  }

  @Override
  public boolean delete(String key) throws IOException {
    shifts.remove(key);
    return super.delete(key);
  }
}
