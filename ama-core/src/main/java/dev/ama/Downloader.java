package dev.ama;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts versions on local disk: downloads into a folder (with their refs, transitively), planned
 * and checked in full before anything is written, and loads into the local cache for serving.
 */
final class Downloader {
  private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);

  private final Queries queries;
  private final Transfers transfers;
  private final Tasks tasks;
  private final LocalCache cache;
  private final String location;

  Downloader(Queries queries, Transfers transfers, Tasks tasks, LocalCache cache, String location) {
    this.queries = queries;
    this.transfers = transfers;
    this.tasks = tasks;
    this.cache = cache;
    this.location = location;
  }

  /** One file of one version to write into one folder, and whether the folder already holds it. */
  private record Placement(AssetVersion version, AssetFile file, Path dest, boolean inPlace) {}

  /** One version to write into one folder. */
  private record Target(AssetVersion version, Path folder) {}

  /**
   * Downloads a version, and with {@code withRefs} the versions it refs, into a folder. Every
   * target is checked first (each existing file hashed once), so a refused download writes nothing.
   */
  Path download(AssetVersion main, boolean withRefs, boolean force, Path folder) {
    List<Target> targets = new ArrayList<>();
    targets.add(new Target(main, folder));
    if (withRefs) {
      planRefs(main, folder.resolve("refs"), targets);
    }
    List<Placement> plan = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    Map<Path, String> planned = new HashMap<>();
    for (Target t : targets) {
      for (AssetFile f : t.version().files()) {
        Path dest = AssetPaths.resolve(t.folder(), f.path());
        String previous = planned.putIfAbsent(dest.toAbsolutePath().normalize(), t.version() + " " + f.path());
        if (previous != null) {
          throw new ConflictException("cannot download " + main + " with its refs into " + folder + ": "
              + previous + " and " + t.version() + " " + f.path() + " would both be written to "
              + folder.relativize(dest) + ". Nothing was written; download the refs separately");
        }
        boolean exists = Files.exists(dest);
        boolean inPlace = exists && Transfers.holds(dest, f);
        if (exists && !inPlace) {
          conflicts.add(folder.relativize(dest).toString());
        }
        plan.add(new Placement(t.version(), f, dest, inPlace));
      }
    }
    if (!conflicts.isEmpty() && !force) {
      throw new ConflictException("download folder " + folder + " already holds different files: "
          + conflicts.stream().limit(5).collect(Collectors.joining(", "))
          + (conflicts.size() > 5 ? " and " + (conflicts.size() - 5) + " more" : "")
          + ". Nothing was written; download into another folder, or allow overwriting them (ama download --force; force() in the API)");
    }
    List<Tasks.Action> writes = new ArrayList<>();
    long bytes = 0;
    for (Placement p : plan) {
      bytes += p.file().size();
      if (p.inPlace()) {
        writes.add(() -> transfers.alreadyPlaced(p.file()));
      } else {
        writes.add(() -> transfers.place(p.file(), p.dest()));
      }
    }
    TransferListener listener = transfers.listener();
    listener.started(TransferListener.Phase.DOWNLOADING, writes.size(), bytes);
    try {
      tasks.runAll(writes);
    } finally {
      listener.finished(TransferListener.Phase.DOWNLOADING);
    }
    return folder;
  }

  /** Lays out refs transitively, each version once, under {@code refs/<type>/<alias>/}. */
  private void planRefs(AssetVersion root, Path refsFolder, List<Target> targets) {
    Set<Digest> seen = new HashSet<>();
    seen.add(root.version());
    Set<Path> used = new HashSet<>();
    Deque<AssetVersion> todo = new ArrayDeque<>();
    todo.add(root);
    while (!todo.isEmpty()) {
      for (Ref r : todo.poll().refs()) {
        if (!seen.add(r.version())) {
          continue;
        }
        AssetVersion v = queries.manifest(r.version());
        String name = r.alias().orElse(r.version().shortHex());
        Path dir = refsFolder.resolve(r.type()).resolve(name);
        if (!used.add(dir)) {
          dir = refsFolder.resolve(r.type()).resolve(name + "@" + r.version().shortHex());
          used.add(dir);
        }
        targets.add(new Target(v, dir));
        todo.add(v);
      }
    }
  }

  /**
   * The version an alias points at, in the local cache: fetched once, then served from it. If the
   * store cannot be reached, the last version this machine loaded for the alias is served.
   */
  LoadedAsset load(String type, String alias) {
    AssetVersion v;
    try {
      v = queries.manifest(queries.require(type, alias).version());
    } catch (StoreException e) {
      Optional<AssetVersion> known = cache.rememberedAlias(location, type, alias).flatMap(cache::manifest);
      if (known.isEmpty()) {
        throw e;
      }
      LOG.warn("store {} unreachable ({}); serving the last loaded version {} of {}/{} from the local cache",
          location, e.getMessage(), known.get().version(), type, alias);
      // The folder alone is enough to serve: its blobs may have been evicted since it was made.
      Optional<Path> folder = cache.completeFolder(known.get());
      return new LoadedAsset(known.get(), folder.isPresent() ? folder.get() : inCache(known.get()));
    }
    Path dir = inCache(v);
    cache.rememberAlias(location, type, alias, v.version());
    return new LoadedAsset(v, dir);
  }

  /** The version's folder in the local cache, its blobs fetched first where missing. */
  private Path inCache(AssetVersion v) {
    Optional<Path> dir = cache.versionFolder(v, cachedBlobs(v));
    // A blob another process evicted between fetching and linking is fetched once more.
    return dir.isPresent() ? dir.get() : cache.versionFolder(v, cachedBlobs(v)).orElseThrow(() -> new LocalFileException(
        "could not assemble " + v + " in the local cache " + cache.root() + ": its blobs keep disappearing while it is"
            + " assembled. Check that no other program is deleting files in the cache"));
  }

  /** Every blob of a version in the local cache, fetched in parallel where missing. */
  private Map<Digest, Path> cachedBlobs(AssetVersion v) {
    List<AssetFile> files = v.files();
    TransferListener listener = transfers.listener();
    listener.started(TransferListener.Phase.DOWNLOADING, files.size(), files.stream().mapToLong(AssetFile::size).sum());
    List<Path> paths;
    try {
      paths = tasks.run(files.stream().map(f -> (Callable<Path>) () -> transfers.cached(f)).toList());
    } finally {
      listener.finished(TransferListener.Phase.DOWNLOADING);
    }
    Map<Digest, Path> out = new HashMap<>();
    for (int i = 0; i < files.size(); i++) {
      out.put(files.get(i).digest(), paths.get(i));
    }
    return out;
  }
}
