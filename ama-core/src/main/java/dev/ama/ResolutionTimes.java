package dev.ama;

import dev.ama.internal.TempFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each alias of one store was last resolved against the store, so that a version served
 * from the cache while the store is unreachable can say how old its knowledge is, even in a
 * process started offline. Kept in memory exactly, and on disk under {@code resolved/<store
 * hash>/<type>/<alias>} in the local cache (beside the remembered alias targets) at most once a
 * second per alias: a warm load then costs no write, and an offline start knows the time to
 * within a second.
 */
final class ResolutionTimes {
  private static final Duration WRITE_EVERY = Duration.ofSeconds(1);

  private final Path cacheRoot;
  private final Path folder;
  private final Map<String, Instant> seen = new ConcurrentHashMap<>();
  private final Map<String, Instant> written = new ConcurrentHashMap<>();

  ResolutionTimes(Path cacheRoot, String location) {
    this.cacheRoot = cacheRoot;
    this.folder = cacheRoot.resolve("resolved")
        .resolve(Digest.sha256(location.getBytes(StandardCharsets.UTF_8)).shortHex());
  }

  /** Records a successful resolution of an alias at {@code at}. */
  void record(String type, String alias, Instant at) {
    String key = type + "/" + alias;
    seen.merge(key, at, (a, b) -> a.isAfter(b) ? a : b);
    Instant last = written.get(key);
    if (last != null && at.isBefore(last.plus(WRITE_EVERY))) {
      return;
    }
    written.put(key, at);
    Path target = folder.resolve(type).resolve(alias);
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createDirectories(cacheRoot.resolve("tmp"));
      try (TempFiles.Writing w = TempFiles.create(tmp); OutputStream out = w.out()) {
        out.write(at.toString().getBytes(StandardCharsets.US_ASCII));
        w.moveTo(target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // Only the age shown by a later offline start is lost; this process still knows it.
      written.remove(key);
    }
  }

  /** The last successful resolution of an alias this process or an earlier one recorded. */
  Optional<Instant> last(String type, String alias) {
    Instant here = seen.get(type + "/" + alias);
    if (here != null) {
      return Optional.of(here);
    }
    try {
      return Optional.of(Instant.parse(Files.readString(folder.resolve(type).resolve(alias), StandardCharsets.US_ASCII).trim()));
    } catch (IOException | DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
