package dev.ama.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.AssetFile;
import dev.ama.AssetVersion;
import dev.ama.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The dashboard as a static site: the same page, with every answer it can ask for written as a
 * JSON file under {@code api/}, so a team can publish it next to the bucket without running a
 * server. Find-by-content reads an exported content index ({@code api/content/<2 hex>.json},
 * digest → versions, sharded by the digest's first byte so the page fetches one small file).
 * Lineage is exported to {@value #LINEAGE_DEPTH} refs each way (the page trims it to the depth
 * chosen); diffs are exported for each move of an alias (previous → new), which is where the page
 * offers them in history; other pairs say they were not exported.
 */
public final class DashboardExport {
  /** How many refs away each exported lineage graph reaches, up and down. */
  public static final int LINEAGE_DEPTH = 10;
  static final int PAGE = Api.DEFAULT_PAGE;
  /** Marks a folder as an export, so a second export may replace it and nothing else is replaced. */
  static final String MARKER = "ama-dashboard.json";

  /**
   * What an export wrote.
   *
   * @param index the page to publish ({@code DIR/index.html})
   * @param types how many asset types it holds
   * @param versions how many versions
   * @param files how many files it wrote in all
   */
  public record Result(Path index, int types, int versions, int files) {}

  private final Api api;
  private final AssetClient client;
  private final Path dir;
  private int files;

  private DashboardExport(AssetClient client, Path dir) {
    this.client = client;
    this.api = new Api(client);
    this.dir = dir;
  }

  /**
   * Writes the static dashboard of the client's store into {@code dir}, which must not exist, be
   * empty, or hold an earlier export (which is replaced).
   *
   * @throws InvalidInputException if {@code dir} is a file or a folder with other things in it;
   *     nothing is written then
   */
  public static Result write(AssetClient client, Path dir) {
    Objects.requireNonNull(client, "client");
    Path target = dir.toAbsolutePath().normalize();
    try {
      prepare(target);
      return new DashboardExport(client, target).run();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the dashboard export into " + target + ": " + e.getMessage(), e);
    }
  }

  private static void prepare(Path dir) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new InvalidInputException("cannot export the dashboard to " + dir + ": it is a file; name a new or empty folder");
    }
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      return;
    }
    boolean empty;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      empty = !entries.iterator().hasNext();
    }
    if (empty) {
      return;
    }
    if (!Files.isRegularFile(dir.resolve(MARKER))) {
      throw new InvalidInputException("cannot export the dashboard to " + dir + ": the folder holds other files, which an"
          + " export must not overwrite; name a new or empty folder, or an earlier export (it has " + MARKER + ")");
    }
    // An earlier export: its own files go, so versions deleted since do not linger.
    for (String name : WebResources.pageFiles()) {
      Files.deleteIfExists(dir.resolve(name));
    }
    deleteTree(dir.resolve("api"));
  }

  private Result run() throws IOException {
    for (String name : WebResources.pageFiles()) {
      byte[] bytes = name.equals("index.html")
          ? WebResources.indexPage(WebResources.STATIC) : WebResources.find(name).orElseThrow().bytes();
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
      files++;
    }
    ObjectNode types = api.types();
    json("types.json", types);
    Map<String, ArrayNode> content = new TreeMap<>();
    int versions = 0;
    for (JsonNode t : types.get("types")) {
      String type = t.asText();
      ObjectNode aliases = api.allAliases(type);
      json("aliases/" + type + ".json", aliases);
      for (String kind : List.of("aliases", "removed")) {
        for (JsonNode a : aliases.get(kind)) {
          exportHistory(type, a.get("alias").asText());
        }
      }
      List<AssetVersion> all = client.versions(type);
      versions += all.size();
      exportPages(type, all);
      for (AssetVersion v : all) {
        String hex = v.version().hex();
        json("version/" + hex + ".json", api.version(hex));
        json("lineage/" + hex + ".json", api.lineage(hex, "both", LINEAGE_DEPTH));
        List<String> aliasesOf = client.aliasesOf(v);
        for (AssetFile f : v.files()) {
          content.computeIfAbsent(f.digest().hex(), k -> Api.JSON.createArrayNode())
              .add(Api.summary(v, aliasesOf).put("path", f.path()));
        }
      }
    }
    exportContent(content);
    Files.writeString(dir.resolve(MARKER), Api.JSON.writeValueAsString(Api.JSON.createObjectNode()
        .put("format", 1).put("store", client.location()).put("lineageDepth", LINEAGE_DEPTH)));
    files++;
    return new Result(dir.resolve("index.html"), types.get("types").size(), versions, files);
  }

  private void exportHistory(String type, String alias) throws IOException {
    ObjectNode history = api.history(type, alias);
    json("history/" + type + "/" + alias + ".json", history);
    for (JsonNode e : history.get("entries")) {
      if (e.has("previous") && !e.get("removed").asBoolean()) {
        String from = hex(e.get("previous").asText());
        String to = hex(e.get("version").asText());
        Path file = dir.resolve("api/diff/" + from + "/" + to + ".json");
        if (!Files.exists(file)) {
          json("diff/" + from + "/" + to + ".json", api.diff(from, to));
        }
      }
    }
  }

  /** The server's pages, with page numbers as cursors: {@code api/versions/<type>/<n>.json}. */
  private void exportPages(String type, List<AssetVersion> all) throws IOException {
    int pages = Math.max(1, (all.size() + PAGE - 1) / PAGE);
    for (int p = 1; p <= pages; p++) {
      ObjectNode page = Api.JSON.createObjectNode();
      page.put("type", type);
      ArrayNode list = page.putArray("versions");
      for (AssetVersion v : all.subList((p - 1) * PAGE, Math.min(all.size(), p * PAGE))) {
        list.add(Api.summary(v, client.aliasesOf(v)));
      }
      if (p < pages) {
        page.put("next", String.valueOf(p + 1));
      } else {
        page.putNull("next");
      }
      json("versions/" + type + "/" + p + ".json", page);
    }
  }

  private void exportContent(Map<String, ArrayNode> content) throws IOException {
    Map<String, ObjectNode> shards = new TreeMap<>();
    content.forEach((hex, matches) -> shards.computeIfAbsent(hex.substring(0, 2), k -> Api.JSON.createObjectNode())
        .set(hex, matches));
    for (Map.Entry<String, ObjectNode> shard : shards.entrySet()) {
      json("content/" + shard.getKey() + ".json", shard.getValue());
    }
  }

  private void json(String name, JsonNode node) throws IOException {
    Path file = dir.resolve("api").resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, Api.JSON.writeValueAsBytes(node));
    files++;
  }

  private static String hex(String digest) {
    return digest.substring(digest.indexOf(':') + 1);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
