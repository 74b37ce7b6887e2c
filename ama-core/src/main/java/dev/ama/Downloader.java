package dev.ama;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ama.internal.TempFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
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
  private final boolean verifyLoads;
  private final Clock clock;
  private final ResolutionTimes resolutions;
  private final Cache<Digest, AssetVersion> manifests = Caffeine.newBuilder().maximumSize(256).build();
  private final TrustGate trust;

  /** @param verifyLoads whether {@link #load} hashes every cached file it serves, not only stamps */
  Downloader(Queries queries, Transfers transfers, Tasks tasks, LocalCache cache, String location, boolean verifyLoads,
      Clock clock, TrustGate trust) {
    this.trust = trust;
    this.queries = queries;
    this.transfers = transfers;
    this.tasks = tasks;
    this.cache = cache;
    this.location = location;
    this.verifyLoads = verifyLoads;
    this.clock = clock;
    this.resolutions = new ResolutionTimes(cache.root(), location);
  }

  /**
   * One file of one version to write into one folder: whether the folder already holds it, and
   * whether it holds other content there (written over only when forced).
   */
  private record Placement(AssetVersion version, AssetFile file, Path dest, boolean inPlace, boolean differs) {}

  /** Some files of one version to write into one folder. */
  private record Target(AssetVersion version, List<AssetFile> files, Path folder) {}

  /**
   * Downloads the selected files of a version, and with {@code withRefs} the versions it refs
   * (whole), into a folder. Every target is checked first (each existing file hashed once), so a
   * refused download writes nothing. Temporary files that killed downloads left in the folders
   * written to are removed first.
   */
  DownloadResult download(AssetVersion main, FileSelection selection, boolean withRefs, boolean force, Path folder) {
    List<Target> targets = new ArrayList<>();
    targets.add(new Target(main, selection.select(main), folder));
    if (withRefs) {
      planRefs(main, folder.resolve("refs"), targets);
    }
    targets.forEach(t -> trust.checkVersion(t.version(), Optional.empty()));
    List<Placement> plan = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    Map<Path, String> planned = new HashMap<>();
    Set<Path> checkedFolders = new HashSet<>();
    for (Target t : targets) {
      for (AssetFile f : t.files()) {
        refuseLongName(t.version(), f);
        Path dest = AssetPaths.resolve(t.folder(), f.path());
        refuseLinks(folder, dest.getParent(), checkedFolders);
        String previous = planned.putIfAbsent(dest.toAbsolutePath().normalize(), t.version() + " " + f.path());
        if (previous != null) {
          throw new ConflictException("cannot download " + main + " with its refs into " + folder + ": "
              + previous + " and " + t.version() + " " + f.path() + " would both be written to "
              + folder.relativize(dest) + ". Nothing was written; download the refs separately");
        }
        Placement p = placement(t.version(), f, dest);
        if (p.differs()) {
          conflicts.add(relative(folder, dest));
        }
        plan.add(p);
      }
    }
    if (!conflicts.isEmpty() && !force) {
      throw new ConflictException("download folder " + folder + " already holds different files: "
          + conflicts.stream().limit(5).collect(Collectors.joining(", "))
          + (conflicts.size() > 5 ? " and " + (conflicts.size() - 5) + " more" : "")
          + ". Nothing was written; download into another folder, or allow overwriting them (ama download --force; force() in the API)");
    }
    return write(plan, folder);
  }

  /** Where one file goes, and whether the destination holds it already or holds other content. */
  private static Placement placement(AssetVersion v, AssetFile f, Path dest) {
    boolean exists = Files.exists(dest, LinkOption.NOFOLLOW_LINKS);
    boolean inPlace = exists && HashingInputStream.holds(dest, f);
    return new Placement(v, f, dest, inPlace, exists && !inPlace);
  }

  /**
   * Downloads one file of a version to a path of the caller's choosing, such as the fixed path a
   * training container reads its starting model from. Checked and written as a folder's files are.
   */
  DownloadResult downloadFile(AssetVersion v, String path, boolean force, Path dest) {
    trust.checkVersion(v, Optional.empty());
    AssetFile f = v.file(path).orElseThrow(() -> new NotFoundException("asset " + v + " has no file '" + path
        + "'; its files are: " + FileSelection.listing(v) + ". Nothing was written; name one of them"));
    if (Files.isDirectory(dest)) {
      String name = AssetPaths.resolve(dest, path).getFileName().toString();
      throw new InvalidInputException("cannot download " + path + " of " + v + " to " + dest + ": it is a folder, and a"
          + " single file's destination names the file itself. Nothing was written; give the file's path, such as "
          + dest.resolve(name));
    }
    if (dest.getParent() == null) {
      throw new InvalidInputException("cannot download " + path + " of " + v + " to " + dest + ": it names no file."
          + " Give the file's path, such as models/" + path);
    }
    Placement p = placement(v, f, dest);
    if (p.differs() && !force) {
      throw new ConflictException(dest + " already exists with other content. Nothing was written; choose another"
          + " path, or allow overwriting it (ama download --force; force() in the API)");
    }
    return write(List.of(p), dest.getParent());
  }

  /** Writes the planned files that are not in place yet, in parallel, each by one rename. */
  private DownloadResult write(List<Placement> plan, Path folder) {
    List<Tasks.Action> writes = new ArrayList<>();
    List<String> written = new ArrayList<>();
    List<String> replaced = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    Set<Path> swept = new HashSet<>();
    for (Placement p : plan) {
      if (swept.add(p.dest().getParent())) {
        TempFiles.sweep(p.dest().getParent());
      }
    }
    long bytes = 0;
    List<Placement> toWrite = new ArrayList<>();
    for (Placement p : plan) {
      bytes += p.file().size();
      String name = relative(folder, p.dest());
      if (p.inPlace()) {
        unchanged.add(name);
        writes.add(() -> transfers.alreadyPlaced(p.file()));
      } else {
        written.add(name);
        if (p.differs()) {
          replaced.add(name);
        }
        toWrite.add(p);
      }
    }
    TransferListener listener = transfers.listener();
    listener.started(TransferListener.Phase.DOWNLOADING, plan.size(), bytes);
    try {
      // Packed blobs go from a few ranged reads straight into their files; the rest, one request
      // or a cache copy each. Only what neither the folder nor the cache holds asks the store
      // anything: a download the cache can serve works with the store unreachable.
      List<Placement> fetching = toWrite.stream().filter(p -> cache.blob(p.file()).isEmpty()).toList();
      Set<Path> fromPacks = Set.of();
      if (!fetching.isEmpty()) {
        transfers.prime(fetching.stream().map(Placement::version).distinct().toList());
        Transfers.PackedPlacements packed = transfers.placePacked(fetching.stream()
            .map(p -> Map.entry(p.file(), p.dest())).toList());
        writes.addAll(packed.actions());
        fromPacks = packed.destinations();
      }
      for (Placement p : toWrite) {
        if (!fromPacks.contains(p.dest())) {
          writes.add(() -> transfers.place(p.file(), p.dest()));
        }
      }
      tasks.runAll(writes);
    } finally {
      listener.finished(TransferListener.Phase.DOWNLOADING);
    }
    return new DownloadResult(folder, written, replaced, unchanged);
  }

  private static String relative(Path folder, Path file) {
    StringBuilder sb = new StringBuilder();
    for (Path part : folder.relativize(file)) {
      sb.append(sb.length() == 0 ? "" : "/").append(part);
    }
    return sb.toString();
  }

  /**
   * A name no file system holds is the manifest's fault, not the download folder's: refused before
   * anything is written, naming the manifest.
   */
  private void refuseLongName(AssetVersion v, AssetFile f) {
    AssetPaths.tooLongName(f.path()).ifPresent(name -> {
      throw new IntegrityException("manifest " + v.version() + " (" + v.type() + ") in " + location + " names the file '"
          + f.path() + "', whose name " + AssetPaths.describeLongName(name) + " is longer than the "
          + AssetPaths.MAX_NAME_BYTES + " bytes a file system holds; no folder can hold it. Nothing was written;"
          + " upload the asset again with shorter file names");
    });
  }

  /**
   * Refuses to place files through a symbolic link inside the download folder (such as {@code
   * folder/sub -> /elsewhere}), which would write them outside it. The folder itself may be a link:
   * that is where the user asked for the files.
   *
   * @throws InvalidInputException naming the link; nothing was written
   */
  private static void refuseLinks(Path folder, Path parent, Set<Path> checked) {
    Path p = folder;
    for (Path part : folder.relativize(parent)) {
      p = p.resolve(part);
      if (part.toString().isEmpty() || !checked.add(p)) {
        continue;
      }
      if (Files.isSymbolicLink(p)) {
        String target;
        try {
          target = " (to " + Files.readSymbolicLink(p) + ")";
        } catch (java.io.IOException e) {
          target = "";
        }
        throw new InvalidInputException("cannot download into " + folder + ": " + p + " is a symbolic link" + target
            + ", and files placed through it would land outside the download folder. Nothing was written; remove the"
            + " link (rm " + p + ") or download into another folder");
      }
    }
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
        targets.add(new Target(v, v.files(), dir));
        todo.add(v);
      }
    }
  }

  /**
   * The version an alias points at, in the local cache: fetched once, then served from it. If the
   * store cannot be reached, the last version this machine loaded for the alias is served, marked
   * as coming from the cache (unless {@code options} are strict, which refuse it).
   */
  LoadedAsset load(String type, String alias, LoadOptions options) {
    AssetVersion v;
    try {
      AliasEntry head = queries.require(type, alias);
      v = manifest(head.version());
      checkTrust(head, v);
    } catch (AliasRemovedException e) {
      throw removedAlias(e);
    } catch (StoreException e) {
      return fromCache(type, alias, options, e);
    }
    Instant now = clock.instant();
    LoadedAsset loaded = loadResolved(v, options.selection(), verifyLoads, now);
    servedAlias(type, alias, v.version(), now);
    return loaded;
  }

  /**
   * Refuses, under the client's trust policy, an alias head or the version it names; before
   * anything of the version is fetched or written.
   *
   * @throws UntrustedException naming the version or entry, the rule and the fix
   */
  void checkTrust(AliasEntry head, AssetVersion v) {
    trust.checkMove(head);
    trust.checkVersion(v, Optional.of(head.alias()));
  }

  /**
   * The version a download's selector names, checked against the trust policy as a load is when
   * the selector is an alias (its head entry and the version, with the alias's rules).
   */
  AssetVersion resolveTrusted(String type, String selector) {
    if (Names.isValidAlias(selector)) {
      Optional<AliasEntry> head = queries.head(Names.checkType(type), selector);
      if (head.isPresent() && head.get().removed()) {
        trust.checkMove(head.get());
      } else if (head.isPresent()) {
        AssetVersion v = queries.manifest(head.get().version());
        checkTrust(head.get(), v);
        return v;
      }
    }
    return queries.resolve(type, selector);
  }

  /**
   * A version just resolved, in the local cache and held there: the hold is taken before the
   * folder is checked or assembled, so an eviction in another process cannot remove it meanwhile.
   *
   * @param fullVerify whether every file of the folder is hashed before it is served, not only
   *     its stamps compared
   */
  LoadedAsset loadResolved(AssetVersion v, FileSelection selection, boolean fullVerify, Instant resolved) {
    List<AssetFile> files = selection.select(v);
    CachePins.Hold hold = cache.hold(v.version());
    try {
      return LoadedAsset.fromStore(v, inCache(v, files, fullVerify), files, selection, resolved, hold);
    } catch (RuntimeException e) {
      hold.close();
      throw e;
    }
  }

  /**
   * A version's manifest, from memory once read: a manifest never changes under its id, and
   * reading it from the cache (read, hash, parse) is most of a warm load's own cost.
   */
  AssetVersion manifest(Digest id) {
    return manifests.get(id, queries::manifest);
  }

  /**
   * Takes an alias the store says was removed for removed, if the trust policy accepts its removal,
   * and forgets what this machine served for it: an offline start later must not serve what was
   * loaded before the removal. An untrusted removal changes nothing here.
   *
   * @return {@code removed}, for the caller to throw
   * @throws UntrustedException if a rule requires the removal to be signed and it is not
   */
  AliasRemovedException removedAlias(AliasRemovedException removed) {
    AliasEntry removal = removed.removal();
    trust.checkMove(removal);
    cache.forgetAlias(location, removal.type(), removal.alias());
    return removed;
  }

  /** Records that an alias was resolved against the store at {@code at}. */
  void resolvedAlias(String type, String alias, Instant at) {
    resolutions.record(type, alias, at);
  }

  /** Remembers the version this machine now serves for an alias, for offline starts. */
  void servedAlias(String type, String alias, Digest version, Instant resolved) {
    // Rewriting the file is a rename, which costs more than the rest of a warm load: write only a change.
    if (!cache.rememberedAlias(location, type, alias).equals(Optional.of(version))) {
      cache.rememberAlias(location, type, alias, version);
    }
    resolutions.record(type, alias, resolved);
  }

  /**
   * The last version this machine served for an alias, from the cache, because the store could
   * not be reached; refused when strict.
   */
  private LoadedAsset fromCache(String type, String alias, LoadOptions options, StoreException unreachable) {
    Optional<Instant> last = resolutions.last(type, alias);
    Optional<AssetVersion> known = cache.rememberedAlias(location, type, alias).flatMap(cache::manifest);
    if (options.isStrict()) {
      throw new StoreException("store " + location + " could not be reached to resolve " + type + "/" + alias + " ("
          + unreachable.getMessage() + "); strict loading refuses to serve "
          + known.map(k -> "the cached version " + k.version().shortHex()).orElse("a cached version")
          + last.map(t -> ", last resolved at " + t).orElse("") + ". Check the store's network and credentials and"
          + " retry, or load without strict to serve the cached version", unreachable);
    }
    if (known.isEmpty()) {
      throw unreachable;
    }
    AssetVersion v = known.get();
    List<AssetFile> files = options.selection().select(v);
    CachePins.Hold hold = cache.hold(v.version());
    try {
      // The folder alone is enough to serve: its blobs may have been evicted since it was made.
      Optional<Path> folder = cache.checkedFolder(v, files, verifyLoads);
      Path dir = folder.isPresent() ? folder.get() : inCache(v, files, verifyLoads);
      LOG.warn("store {} unreachable ({}); serving the last loaded version {} of {}/{} from the local cache{}",
          location, unreachable.getMessage(), v.version(), type, alias,
          last.map(t -> " (alias last resolved at " + t + ")").orElse(""));
      return LoadedAsset.fromCache(v, dir, files, options.selection(), unreachable, last, hold);
    } catch (RuntimeException e) {
      hold.close();
      throw e;
    }
  }

  /**
   * The version's folder in the local cache holding at least {@code files}, checked before it is
   * served (see {@link LocalCache#checkedFolder}); else their blobs are fetched where missing and
   * it is assembled. With {@code fullVerify}, every file of an assembled folder is hashed too,
   * except a file that is a link of a blob this call fetched (verified on the way in): the bytes
   * are checked once, and a file the folder already held, or a blob found in the cache, is hashed.
   */
  private Path inCache(AssetVersion v, List<AssetFile> files, boolean fullVerify) {
    Optional<Path> ready = cache.checkedFolder(v, files, fullVerify);
    if (ready.isPresent()) {
      return ready.get();
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      Set<Digest> fetching = new HashSet<>();
      files.stream().filter(f -> cache.blob(f).isEmpty()).forEach(f -> fetching.add(f.digest()));
      if (!fetching.isEmpty()) {
        transfers.prime(List.of(v));
      }
      Map<Digest, Path> blobs = cachedBlobs(files);
      Optional<Path> dir = cache.versionFolder(v, files, blobs);
      // A blob another process evicted between fetching and linking is fetched once more.
      if (dir.isEmpty()) {
        continue;
      }
      if (!fullVerify) {
        return dir.get();
      }
      List<AssetFile> unhashed = files.stream()
          .filter(f -> !fetching.contains(f.digest()) || !sameFile(AssetPaths.resolve(dir.get(), f.path()), blobs.get(f.digest())))
          .toList();
      // A file found damaged is deleted by the check, and fetched again by the next attempt.
      if (unhashed.isEmpty() || cache.checkedFolder(v, unhashed, true).isPresent()) {
        return dir.get();
      }
    }
    throw new LocalFileException("could not assemble " + v + " in the local cache " + cache.root() + ": its files"
        + " keep disappearing or changing while it is assembled. Check that no other program is deleting or editing"
        + " files in the cache");
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** The blobs of some files of a version in the local cache, fetched in parallel where missing. */
  private Map<Digest, Path> cachedBlobs(List<AssetFile> files) {
    TransferListener listener = transfers.listener();
    listener.started(TransferListener.Phase.DOWNLOADING, files.size(), files.stream().mapToLong(AssetFile::size).sum());
    List<Path> paths;
    try {
      tasks.runAll(transfers.fetchPacked(files, true));
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

  /** A whole version in the local cache, fetched where missing, for {@link CacheAdmin#pin}. */
  Path fetchIntoCache(AssetVersion v) {
    // A pinned version is one a server may serve offline later: the policy applies to it as to a load.
    trust.checkVersion(v, Optional.empty());
    try (CachePins.Hold hold = cache.hold(v.version())) {
      return inCache(v, v.files(), verifyLoads);
    }
  }
}
