package dev.ama.cli;

import dev.ama.InvalidInputException;
import dev.ama.Names;
import dev.ama.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns the arguments of {@code ama add} into staged files.
 *
 * <p>Arguments may be separated by commas as well as spaces, as in {@code ama add a.yml, b.yml}
 * or {@code ama add a.yml,b.yml}; an argument that names an existing file is always taken
 * literally, so a file whose name holds a comma can still be added.
 *
 * <p>A file is stored under its file name. A folder contributes every file under it, recursively,
 * under the folder's name ({@code ama add ckpt} stores {@code ckpt/a.bin}); the working folder
 * itself ({@code ama add .}) contributes its files without a prefix and without {@code .ama/}.
 */
final class FileArgs {
  private FileArgs() {}

  /** Splits comma-separated arguments into names, dropping empty pieces. */
  static List<String> split(Path workDir, List<String> args) {
    List<String> names = new ArrayList<>();
    for (String arg : args) {
      if (!arg.isEmpty() && Files.exists(workDir.resolve(arg))) {
        names.add(arg);
        continue;
      }
      for (String piece : arg.split(",")) {
        String name = piece.strip();
        if (!name.isEmpty()) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /**
   * The files the names stand for, in argument order, folders expanded in path order.
   *
   * @throws NotFoundException if a name is neither a file nor a folder, listing near names
   * @throws InvalidInputException if a folder holds no files or a path cannot be stored
   */
  static List<Stage.StagedFile> expand(Path workDir, List<String> names) {
    List<Stage.StagedFile> files = new ArrayList<>();
    for (String name : names) {
      Path path = workDir.resolve(name).normalize();
      if (Files.isRegularFile(path)) {
        files.add(staged(workDir, path.getFileName().toString(), path));
      } else if (Files.isDirectory(path)) {
        files.addAll(folder(workDir, name, path));
      } else if (Files.exists(path)) {
        throw new InvalidInputException(
            "cannot add '" + name + "': it is neither a regular file nor a folder; add the files it stands for");
      } else {
        throw NotFoundException.suggesting(missingName(path), siblings(path),
            hint -> "cannot add '" + name + "': no such file or folder in " + workDir + hint);
      }
    }
    return files;
  }

  private static List<Stage.StagedFile> folder(Path workDir, String name, Path folder) {
    boolean isWorkDir = folder.equals(workDir.normalize()) || folder.getFileName() == null;
    String prefix = isWorkDir ? "" : folder.getFileName().toString() + "/";
    Path ama = workDir.resolve(StageStore.DIR);
    List<Stage.StagedFile> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(folder)) {
      walk.filter(p -> !p.startsWith(ama))
          .filter(Files::isRegularFile)
          .sorted()
          .forEach(p -> {
            List<String> segments = new ArrayList<>();
            folder.relativize(p).forEach(s -> segments.add(s.toString()));
            files.add(staged(workDir, prefix + String.join("/", segments), p));
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the folder " + folder + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new InvalidInputException("cannot add '" + name + "': the folder holds no files");
    }
    return files;
  }

  private static Stage.StagedFile staged(Path workDir, String assetPath, Path file) {
    Names.checkPath(assetPath);
    Path normalWork = workDir.toAbsolutePath().normalize();
    Path absolute = file.toAbsolutePath().normalize();
    String source = absolute.startsWith(normalWork) ? normalWork.relativize(absolute).toString() : absolute.toString();
    return new Stage.StagedFile(assetPath, source);
  }

  private static String missingName(Path missing) {
    return missing.getFileName() == null ? "" : missing.getFileName().toString();
  }

  /** The names beside a missing file, for suggestions; none if its folder cannot be read. */
  private static List<String> siblings(Path missing) {
    Path parent = missing.getParent();
    if (parent == null || !Files.isDirectory(parent) || missing.getFileName() == null) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(parent)) {
      return list.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
