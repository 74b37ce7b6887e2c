package dev.ama.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.ConflictException;
import dev.ama.Digest;
import dev.ama.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Loads and saves the {@link Stage} of a working folder in {@code .ama/stage.json}. Saves write a
 * temporary file next to it and rename it over the old one, so an interrupted command never
 * leaves a half-written stage.
 *
 * <p>Every load-change-save runs under {@link #lock()}, an exclusive lock on {@code .ama/lock}
 * that other {@code ama} processes and other runs in this JVM wait for; without it two commands
 * that load the same stage would each save their own change and drop the other's. Reads that
 * change nothing ({@code ama status}) need no lock: a save is one rename.
 */
final class StageStore {
  static final String DIR = ".ama";
  static final String FILE = "stage.json";
  static final String LOCK = "lock";
  /**
   * File locks belong to the process: a second channel of the same JVM asking for the same lock
   * gets OverlappingFileLockException instead of waiting, so runs in one JVM queue here first.
   */
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
  /** The folders whose in-process holder also holds the file lock; without it a save is refused. */
  private static final Set<Path> FILE_LOCKED = ConcurrentHashMap.newKeySet();
  /**
   * The newest stage format: 2 may hold refs pinned to a version, which format 1 readers would take
   * for refs by alias (resolved at upload), so a stage is written as 2 only when it holds one.
   */
  private static final int FORMAT = 2;
  private static final int FORMAT_WITHOUT_PINNED_REFS = 1;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What the recovery advice of a damaged stage file tells the user to run. */
  static final String START_OVER = "ama init <type> --force";

  /** The stage file cannot be read as a stage; {@code ama init TYPE --force} sets it aside. */
  static final class DamagedStageException extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    final transient Path file;
    final String detail;

    DamagedStageException(Path file, String detail, String advice) {
      super("the stage file " + file + " " + detail + "; " + advice);
      this.file = file;
      this.detail = detail;
    }
  }

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

  /** The exclusive hold on a working folder's {@code .ama/}; closing it lets the next command in. */
  static final class Lock implements AutoCloseable {
    private final Path key;
    private final ReentrantLock inProcess;
    private final FileChannel channel;

    private Lock(Path key, ReentrantLock inProcess, FileChannel channel) {
      this.key = key;
      this.inProcess = inProcess;
      this.channel = channel;
      if (channel != null) {
        FILE_LOCKED.add(key);
      }
    }

    @Override
    public void close() {
      try {
        if (channel != null) {
          FILE_LOCKED.remove(key);
          channel.close(); // releases the file lock
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot release the lock " + LOCK + " of " + DIR + ": " + e.getMessage(), e);
      } finally {
        inProcess.unlock();
      }
    }
  }

  /**
   * Waits for and takes the folder's lock; hold it from {@link #load} to {@link #save}. A folder
   * without {@code .ama/} gets one only when {@code create} (ama init): other commands find no
   * stage there and stop, and a mistyped command should not leave a folder behind.
   */
  Lock lock(boolean create) {
    Path key = key();
    ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
    inProcess.lock();
    try {
      if (!create && !Files.isDirectory(dir())) {
        return new Lock(key, inProcess, null);
      }
      Files.createDirectories(dir());
      FileChannel channel = FileChannel.open(dir().resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        channel.lock();
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      return new Lock(key, inProcess, channel);
    } catch (IOException e) {
      inProcess.unlock();
      throw new UncheckedIOException("cannot lock " + dir().resolve(LOCK) + " against other ama commands: "
          + e.getMessage() + "; check that " + dir() + " is writable", e);
    } catch (RuntimeException e) {
      inProcess.unlock();
      throw e;
    }
  }

  /**
   * Which in-process lock guards this folder: one per real folder, however it is reached, as two
   * locks of one JVM on the same file would fail rather than wait. The working folder exists even
   * when {@code .ama/} does not yet.
   */
  private Path key() {
    try {
      return workDir.toRealPath().resolve(DIR);
    } catch (IOException e) {
      return dir().toAbsolutePath().normalize();
    }
  }

  /** {@link #lock(boolean)} for commands that change an existing stage. */
  Lock lock() {
    return lock(false);
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
    int format = root.path("format").asInt(FORMAT);
    if (format > FORMAT) {
      throw new DamagedStageException(file, "was written by a newer version of ama (format " + format
          + "; this one knows " + FORMAT + ")", "use that version, or start over with: " + START_OVER
          + ", which keeps the file aside");
    }
    try {
      return parse(root);
    } catch (RuntimeException e) {
      throw corrupt(file, e.getMessage());
    }
  }

  /**
   * Moves an unreadable stage file aside as {@code stage.json.damaged-<time>}, so that a new stage
   * can be started without reading it and nothing in it is lost.
   *
   * @return where it is now
   */
  Path setAside() {
    Path aside = dir().resolve(FILE + ".damaged-" + Instant.now().toEpochMilli());
    try {
      return Files.move(file(), aside);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the damaged " + file() + " aside to " + aside + ": " + e.getMessage()
          + "; move or remove it by hand", e);
    }
  }

  /**
   * Writes the stage atomically, creating {@code .ama/} if needed.
   *
   * @throws IllegalStateException if this thread does not hold {@link #lock()}: a save without it
   *     can drop another command's change
   * @throws ConflictException if {@code .ama/} was created by another command after this one
   *     found none and so took no file lock
   */
  void save(Stage stage) {
    Path key = key();
    ReentrantLock held = IN_PROCESS.get(key);
    if (held == null || !held.isHeldByCurrentThread()) {
      throw new IllegalStateException("saving " + file() + " without holding its lock");
    }
    if (!FILE_LOCKED.contains(key)) {
      throw new ConflictException("the staging folder " + dir() + " was created by another ama command while this one"
          + " ran, so this one's change is not saved; run the command again");
    }
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
    root.put("format", stage.refs().stream().anyMatch(r -> r.version().isPresent()) ? FORMAT : FORMAT_WITHOUT_PINNED_REFS);
    root.put("type", stage.type().orElse(null));
    ArrayNode files = root.putArray("files");
    for (Stage.StagedFile f : stage.files().values()) {
      files.addObject().put("path", f.path()).put("source", f.source());
    }
    root.put("alias", stage.alias().orElse(null));
    ArrayNode refs = root.putArray("refs");
    for (Stage.StagedRef r : stage.refs()) {
      putRef(refs.addObject(), r);
    }
    root.put("description", stage.description().orElse(null));
    ObjectNode labels = root.putObject("labels");
    stage.labels().forEach(labels::put);
    putLastUpload(root, stage);
    return root;
  }

  /** Writes a staged ref the same way in the stage file and in {@code ama status --json}. */
  static void putRef(ObjectNode node, Stage.StagedRef r) {
    node.put("type", r.type()).put("alias", r.alias().orElse(null));
    r.version().ifPresent(v -> node.put("version", v.toString()));
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
            .put("at", Format.time(u.at())),
        () -> root.putNull("lastUpload"));
  }

  private static Stage parse(JsonNode root) {
    int format = root.path("format").asInt(FORMAT);
    if (format != FORMAT && format != FORMAT_WITHOUT_PINNED_REFS) {
      throw new IllegalArgumentException("format " + format + " is not known to this version of ama (knows " + FORMAT + ")");
    }
    Stage stage = new Stage();
    text(root, "type").ifPresent(stage::start);
    for (JsonNode f : root.path("files")) {
      stage.addFile(new Stage.StagedFile(required(f, "path"), required(f, "source")));
    }
    text(root, "alias").ifPresent(stage::alias);
    for (JsonNode r : root.path("refs")) {
      Optional<Digest> version = text(r, "version").map(Digest::parse);
      stage.addRef(new Stage.StagedRef(required(r, "type"), version.isPresent() ? text(r, "alias") : Optional.of(required(r, "alias")), version));
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

  private static DamagedStageException corrupt(Path file, String detail) {
    return new DamagedStageException(file, "is damaged (" + detail + ")",
        "fix it by hand, or start over with: " + START_OVER + ", which keeps it aside");
  }
}
