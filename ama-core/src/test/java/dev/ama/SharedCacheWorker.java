package dev.ama;

import dev.ama.storage.FileSystemStorage;
import java.nio.file.Path;
import java.util.List;

/**
 * A separate process sharing a local cache with others, for the multi-process cache tests and
 * bench/cache-churn.sh. Every version it loads it holds ({@link CachePins}) while it reads and
 * hashes each of its files, as a server does while it serves them.
 *
 * <p>Usage: {@code SharedCacheWorker <storeDir> <cacheDir> <capBytes|none> <rounds> <aliases,...>
 * [keep <alias>]}: loads every alias of type {@code models} in turn, {@code rounds} times, checking
 * every file against its manifest while the version is held. With {@code keep}, it first loads
 * and holds that alias for the whole run and re-checks its files after every load of another.
 * It prints {@code READY} when the kept version is held (or at once), one {@code BAD <what>} line
 * per file that was missing or wrong while held, and {@code DONE <loads> <checks> <bad>}; exit 0 if
 * nothing was bad, 1 otherwise or on an error. {@code hold <storeDir> <cacheDir> <alias>} only
 * holds the alias's version, prints {@code HELD} and waits to be killed.
 */
public final class SharedCacheWorker {
  private SharedCacheWorker() {}

  /** Runs the worker; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    try {
      System.exit(args[0].equals("hold") ? hold(args) : churn(args));
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }

  private static int hold(String[] args) throws Exception {
    try (FileSystemStorage fs = new FileSystemStorage(Path.of(args[1]));
        AssetClient c = AssetClient.builder().storage(fs).user("worker").cache(Path.of(args[2])).build()) {
      AssetVersion v = c.version("models", args[3]);
      try (CachePins.Hold h = c.cache().hold(v.version())) {
        c.load("models", args[3]);
        System.out.println("HELD");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
      }
    }
    return 0;
  }

  private static int churn(String[] args) throws Exception {
    AssetClient.Builder b = AssetClient.builder().user("worker").cache(Path.of(args[1]));
    if (!args[2].equals("none")) {
      b.cacheMax(Long.parseLong(args[2]));
    }
    int rounds = Integer.parseInt(args[3]);
    List<String> aliases = List.of(args[4].split(","));
    String keep = args.length > 6 && args[5].equals("keep") ? args[6] : null;
    long loads = 0;
    long checks = 0;
    long bad = 0;
    try (FileSystemStorage fs = new FileSystemStorage(Path.of(args[0])); AssetClient c = b.storage(fs).build()) {
      CachePins.Hold kept = null;
      LoadedAsset keptAsset = null;
      if (keep != null) {
        kept = c.cache().hold(c.version("models", keep).version());
        keptAsset = c.load("models", keep);
      }
      System.out.println("READY");
      System.out.flush();
      for (int r = 0; r < rounds; r++) {
        for (String alias : aliases) {
          AssetVersion v = c.version("models", alias);
          try (CachePins.Hold h = c.cache().hold(v.version()); LoadedAsset a = c.load("models", alias)) {
            loads++;
            bad += check(a);
            checks += a.asset().files().size();
          }
          if (keptAsset != null) {
            bad += check(keptAsset);
            checks += keptAsset.asset().files().size();
          }
        }
      }
      if (kept != null) {
        kept.close();
      }
    }
    System.out.println("DONE " + loads + " " + checks + " " + bad);
    return bad == 0 ? 0 : 1;
  }

  /** Hashes every file of a held version; prints and counts the missing or wrong ones. */
  private static int check(LoadedAsset a) {
    int bad = 0;
    for (AssetFile f : a.asset().files()) {
      if (!HashingInputStream.holds(a.file(f.path()), f)) {
        System.out.println("BAD " + a.version().shortHex() + " " + f.path());
        bad++;
      }
    }
    return bad;
  }
}
