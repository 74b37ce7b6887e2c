package dev.ama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What differs between versions: files added, removed, changed and renamed, and the parameters of
 * their YAML and JSON files side by side. Parameter files are read from the local cache, fetched
 * into it first when needed.
 */
final class Comparisons {
  private final Function<AssetFile, Path> blobs;

  /** @param blobs a file's blob on local disk, fetched and verified if needed */
  Comparisons(Function<AssetFile, Path> blobs) {
    this.blobs = blobs;
  }


  AssetDiff diff(AssetVersion from, AssetVersion to) {
    Map<String, AssetFile> a = byPath(from);
    Map<String, AssetFile> b = byPath(to);
    List<AssetFile> added = new ArrayList<>();
    List<AssetFile> removed = new ArrayList<>();
    List<AssetDiff.FileChange> changed = new ArrayList<>();
    int unchanged = 0;
    for (AssetFile f : a.values()) {
      AssetFile other = b.get(f.path());
      if (other == null) {
        removed.add(f);
      } else if (other.digest().equals(f.digest())) {
        unchanged++;
      } else {
        changed.add(change(f, other));
      }
    }
    for (AssetFile f : b.values()) {
      if (!a.containsKey(f.path())) {
        added.add(f);
      }
    }
    List<AssetDiff.Rename> renamed = new ArrayList<>();
    for (Iterator<AssetFile> it = removed.iterator(); it.hasNext(); ) {
      AssetFile gone = it.next();
      Optional<AssetFile> moved = added.stream().filter(x -> x.digest().equals(gone.digest())).findFirst();
      if (moved.isPresent()) {
        renamed.add(new AssetDiff.Rename(gone.path(), moved.get().path(), gone.digest()));
        added.remove(moved.get());
        it.remove();
      }
    }
    return new AssetDiff(from, to, added, removed, changed, renamed, unchanged);
  }

  private static Map<String, AssetFile> byPath(AssetVersion v) {
    Map<String, AssetFile> m = new LinkedHashMap<>();
    v.files().forEach(f -> m.put(f.path(), f));
    return m;
  }

  private AssetDiff.FileChange change(AssetFile before, AssetFile after) {
    if (!Parameters.isParameterFile(before.path())) {
      return new AssetDiff.FileChange(before.path(), before, after, List.of(), Optional.empty());
    }
    Map<String, String> x;
    Map<String, String> y;
    try {
      x = parameters(before);
      y = parameters(after);
    } catch (IOException e) {
      return new AssetDiff.FileChange(before.path(), before, after, List.of(),
          Optional.of("not comparable key by key (" + firstLine(e.getMessage()) + "); the bytes differ"));
    }
    List<AssetDiff.ParameterChange> params = new ArrayList<>();
    Set<String> keys = new TreeSet<>(x.keySet());
    keys.addAll(y.keySet());
    for (String k : keys) {
      Optional<String> p = Optional.ofNullable(x.get(k));
      Optional<String> q = Optional.ofNullable(y.get(k));
      if (!p.equals(q)) {
        params.add(new AssetDiff.ParameterChange(k, p, q));
      }
    }
    Optional<String> note = params.isEmpty()
        ? Optional.of("same parameters; only formatting or comments differ")
        : Optional.empty();
    return new AssetDiff.FileChange(before.path(), before, after, params, note);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private Map<String, String> parameters(AssetFile f) throws IOException {
    if (f.size() > Parameters.MAX_BYTES) {
      throw new IOException(f.path() + " is larger than " + Parameters.MAX_BYTES + " bytes");
    }
    byte[] bytes = Files.readAllBytes(blobs.apply(f));
    try {
      return Parameters.flatten(f.path(), bytes);
    } catch (IOException | RuntimeException e) {
      throw new IOException(f.path() + " " + f.digest().shortHex() + " is not valid "
          + (f.path().endsWith(".json") ? "JSON" : "YAML") + ": " + e.getMessage(), e);
    }
  }

  Comparison compare(List<AssetVersion> versions, Optional<String> file) {
    if (versions.isEmpty()) {
      throw new InvalidInputException("nothing to compare: give at least one version");
    }
    if (file.isPresent() && !Parameters.isParameterFile(file.get())) {
      throw new InvalidInputException("cannot compare the parameters of '" + file.get() + "': only YAML and JSON"
          + " files (.yml, .yaml, .json) hold parameters; use diff to see whether other files changed");
    }
    List<Map<String, String>> columns = new ArrayList<>();
    for (AssetVersion v : versions) {
      Map<String, String> params = new LinkedHashMap<>();
      for (AssetFile f : v.files()) {
        if (file.map(name -> name.equals(f.path())).orElse(Parameters.isParameterFile(f.path()))) {
          try {
            parameters(f).forEach((k, val) -> params.put(file.isPresent() ? k : f.path() + ":" + k, val));
          } catch (IOException e) {
            params.put(f.path(), "(unreadable: " + firstLine(e.getMessage()) + ")");
          }
        }
      }
      if (file.isPresent() && v.file(file.get()).isEmpty()) {
        throw new NotFoundException("version " + v + " has no file '" + file.get() + "'; its files are: "
            + v.files().stream().map(AssetFile::path).collect(Collectors.joining(", ")));
      }
      columns.add(params);
    }
    Set<String> keys = new TreeSet<>();
    columns.forEach(c -> keys.addAll(c.keySet()));
    List<Comparison.Row> rows = new ArrayList<>();
    for (String k : keys) {
      List<Optional<String>> values = columns.stream().map(c -> Optional.ofNullable(c.get(k))).collect(Collectors.toList());
      rows.add(new Comparison.Row(k, values, new LinkedHashSet<>(values).size() > 1));
    }
    rows.sort(Comparator.comparing((Comparison.Row r) -> !r.differs()).thenComparing(Comparison.Row::key));
    return new Comparison(versions, rows);
  }

}
