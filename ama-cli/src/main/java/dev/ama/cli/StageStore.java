package dev.ama.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Loads and saves the {@link Stage} of a working folder in {@code .ama/stage.json}. Saves write a
 * temporary file next to it and rename it over the old one, so an interrupted command never
 * leaves a half-written stage.
 */
final class StageStore {
  static final String DIR = ".ama";
  static final String FILE = "stage.json";
  private static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path workDir;

  StageStore(Path workDir) {
    this.workDir = workDir;
  }

  /** The {@code .ama} folder of the working folder. */
  Path dir() {
    return workDir.resolve(DIR);
  }

  Path file() {
    return dir().resolve(FILE);
  }

  /** The stage, or an empty one if the folder has none yet. */
  Stage load() {
    Path file = file();
    if (!Files.isRegularFile(file)) {
      return new Stage();
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw corrupt(file, e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw corrupt(file, "not a JSON object");
    }
    try {
      return parse(root);
    } catch (RuntimeException e) {
      throw corrupt(file, e.getMessage());
    }
  }

  /** Writes the stage atomically, creating {@code .ama/} if needed. */
  void save(Stage stage) {
    try {
      Files.createDirectories(dir());
      Path temp = Files.createTempFile(dir(), FILE + ".", ".tmp");
      try {
        JSON.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), toJson(stage));
        try {
          Files.move(temp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, file(), StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Keeps a copy of a stage that is about to be discarded, so {@code init --force} loses nothing.
   *
   * @return where the copy is
   */
  Path backup(Stage stage) {
    Path backup = dir().resolve("stage.discarded-" + Instant.now().toEpochMilli() + ".json");
    try {
      Files.createDirectories(dir());
      JSON.writerWithDefaultPrettyPrinter().writeValue(backup.toFile(), toJson(stage));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + backup + ": " + e.getMessage(), e);
    }
    return backup;
  }

  static ObjectNode toJson(Stage stage) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("type", stage.type().orElse(null));
    ArrayNode files = root.putArray("files");
    for (Stage.StagedFile f : stage.files().values()) {
      files.addObject().put("path", f.path()).put("source", f.source());
    }
    root.put("alias", stage.alias().orElse(null));
    ArrayNode refs = root.putArray("refs");
    for (Stage.StagedRef r : stage.refs()) {
      refs.addObject().put("type", r.type()).put("alias", r.alias());
    }
    root.put("description", stage.description().orElse(null));
    ObjectNode labels = root.putObject("labels");
    stage.labels().forEach(labels::put);
    putLastUpload(root, stage);
    return root;
  }

  /**
   * Writes {@code lastUpload} the same way in the stage file and in {@code ama status --json},
   * which shows it as stored.
   */
  static void putLastUpload(ObjectNode root, Stage stage) {
    stage.lastUpload().ifPresentOrElse(
        u -> root.putObject("lastUpload")
            .put("type", u.type())
            .put("alias", u.alias().orElse(null))
            .put("version", u.version())
            .put("at", u.at().toString()),
        () -> root.putNull("lastUpload"));
  }

  private static Stage parse(JsonNode root) {
    int format = root.path("format").asInt(FORMAT);
    if (format != FORMAT) {
      throw new IllegalArgumentException("format " + format + " is not known to this version of ama (knows " + FORMAT + ")");
    }
    Stage stage = new Stage();
    text(root, "type").ifPresent(stage::start);
    for (JsonNode f : root.path("files")) {
      stage.addFile(new Stage.StagedFile(required(f, "path"), required(f, "source")));
    }
    text(root, "alias").ifPresent(stage::alias);
    for (JsonNode r : root.path("refs")) {
      stage.addRef(new Stage.StagedRef(required(r, "type"), required(r, "alias")));
    }
    text(root, "description").ifPresent(stage::description);
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("labels").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      stage.label(e.getKey(), e.getValue().asText());
    }
    JsonNode last = root.path("lastUpload");
    if (last.isObject()) {
      try {
        stage.lastUpload(new Stage.LastUpload(
            required(last, "type"), text(last, "alias"), required(last, "version"), Instant.parse(required(last, "at"))));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("lastUpload.at is not an ISO-8601 instant", e);
      }
    }
    return stage;
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
  }

  private static String required(JsonNode node, String field) {
    return text(node, field).orElseThrow(() -> new IllegalArgumentException("an entry lacks '" + field + "'"));
  }

  private InvalidInputException corrupt(Path file, String detail) {
    return new InvalidInputException(
        "the stage file " + file + " is damaged (" + detail + "); fix it by hand, or start over with: ama init <type> --force");
  }
}
