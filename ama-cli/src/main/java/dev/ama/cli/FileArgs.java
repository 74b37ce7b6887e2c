package dev.ama.cli;

import dev.ama.InvalidInputException;
import dev.ama.Names;
import dev.ama.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 *
 * <p>Symbolic links: a link to a file is staged under the link's name and read from its target,
 * which {@code ama status} shows. A link whose target leaves both the working folder and the
 * folder being added (for a link named as an argument: the folder it is in) is refused, so that {@code ama add .} never uploads {@code /etc/passwd} by
 * way of a stray link, unless links are followed ({@code --follow-symlinks}). Inside a folder,
 * links to folders are not followed unless links are followed; they are skipped, as are dangling
 * links and special files (FIFOs, sockets, devices), and each one skipped is reported: nothing is
 * left out silently.
 */
final class FileArgs {
  private FileArgs() {}

  /**
   * The files to stage; one line for each file in a folder that cannot be staged and why (links,
   * special files); and what the filter left out of the folders (.amaignore, --exclude, .git/).
   */
  record Expansion(List<Stage.StagedFile> files, List<String> skipped, List<AddFilter.Left> left) {}

  /** Splits comma-separated arguments into names, dropping empty pieces. */
  static List<String> split(Path workDir, List<String> args) {
    List<String> names = new ArrayList<>();
    for (String arg : args) {
      if (!arg.isEmpty() && Files.exists(workDir.resolve(arg), LinkOption.NOFOLLOW_LINKS)) {
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
   * @param followLinks follow every symbolic link, wherever it points ({@code --follow-symlinks})
   * @param filter what to leave out of folders, and which names to refuse
   * @throws NotFoundException if a name is neither a file nor a folder, listing near names, or is
   *     a dangling link; or an --include pattern matches no file of the folders
   * @throws InvalidInputException if a folder holds no files, a path cannot be stored, a name is a
   *     special file or ignored, or a link leaves the folder and links are not followed
   */
  static Expansion expand(Path workDir, List<String> names, boolean followLinks, AddFilter filter) {
    Walk walk = new Walk(workDir, followLinks, filter);
    for (String name : names) {
      walk.argument(name);
    }
    if (!walk.leaving.isEmpty()) {
      throw leaving(workDir, walk.leaving);
    }
    List<String> unused = filter.globs().unusedIncludes();
    if (!unused.isEmpty()) {
      throw new NotFoundException(PathGlobs.unusedMessage(unused, "in the folders named (" + String.join(", ", names)
          + ")") + "; nothing was staged. Correct the pattern (it matches paths in the asset, as 'ama download"
          + " --include' does), or name a folder that holds such files");
    }
    return new Expansion(walk.files, walk.skipped, walk.left);
  }

  /** A symbolic link whose target is outside the folders it may point into. */
  private record Leaving(String name, Path target) {}

  private static InvalidInputException leaving(Path workDir, List<Leaving> links) {
    String why = "links that leave the folder are not followed, so that their bytes are not uploaded by mistake;"
        + " add the target itself, or give --follow-symlinks to stage it";
    if (links.size() == 1) {
      Leaving l = links.get(0);
      return new InvalidInputException("cannot add '" + l.name() + "': it is a symbolic link to " + l.target()
          + ", outside " + workDir + "; " + why);
    }
    List<String> shown = links.stream().limit(5)
        .map(l -> l.name() + " -> " + l.target()).toList();
    return new InvalidInputException("cannot add " + links.size() + " symbolic links that point outside " + workDir
        + ": " + String.join(", ", shown) + (links.size() > shown.size() ? ", ..." : "") + "; " + why + "s");
  }

  /** One {@code ama add}: what it stages, skips and refuses. */
  private static final class Walk {
    final Path workDir;
    final Path workReal;
    final boolean followLinks;
    final AddFilter filter;
    final List<Stage.StagedFile> files = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();
    final List<Leaving> leaving = new ArrayList<>();
    final List<AddFilter.Left> left = new ArrayList<>();

    Walk(Path workDir, boolean followLinks, AddFilter filter) {
      this.workDir = workDir.toAbsolutePath().normalize();
      this.workReal = realOrSelf(this.workDir);
      this.followLinks = followLinks;
      this.filter = filter;
    }

    void argument(String name) {
      Path path = workDir.resolve(name).normalize();
      BasicFileAttributes attrs = attributes(path);
      if (attrs == null) {
        throw NotFoundException.suggesting(missingName(path), siblings(path),
            hint -> "cannot add '" + name + "': no such file or folder in " + workDir + hint);
      }
      String fileName = path.getFileName() == null ? "" : path.getFileName().toString();
      if (!path.equals(workDir)) {
        filter.checkNamed(name, path, attrs.isDirectory());
      }
      if (attrs.isSymbolicLink()) {
        Path real = real(path);
        if (real == null) {
          throw new NotFoundException("cannot add '" + name + "': it is a symbolic link to " + linkTarget(path)
              + ", which does not exist; point the link at a file, or add the file itself");
        }
        // A link named outside the working folder may point beside itself, as links in a folder may.
        Path linkFolder = realOrSelf(path.getParent());
        if (!followLinks && !real.startsWith(workReal) && !real.startsWith(linkFolder)) {
          leaving.add(new Leaving(name, real));
        } else if (Files.isRegularFile(real)) {
          files.add(staged(fileName, real));
        } else if (Files.isDirectory(real)) {
          folder(name, fileName + "/", real);
        } else {
          throw special(name, real);
        }
      } else if (attrs.isRegularFile()) {
        files.add(staged(fileName, path));
      } else if (attrs.isDirectory()) {
        boolean isWorkDir = path.equals(workDir) || path.getFileName() == null;
        folder(name, isWorkDir ? "" : fileName + "/", path);
      } else {
        throw special(name, path);
      }
    }

    private InvalidInputException special(String name, Path path) {
      return new InvalidInputException("cannot add '" + name + "': it is " + kind(path)
          + ", not a regular file or folder; ama add stages regular files");
    }

    /** Stages a folder's files under {@code prefix}; links may point into it or the working folder. */
    private void folder(String name, String prefix, Path root) {
      Path rootReal = realOrSelf(root);
      Path ama = workDir.resolve(StageStore.DIR);
      // The .amaignore files from the working folder down apply, as git's from the top of the repository.
      Path top = root.startsWith(workDir) ? workDir : root;
      List<Stage.StagedFile> found = new ArrayList<>();
      int skippedBefore = skipped.size();
      int leftBefore = left.size();
      Set<FileVisitOption> options = followLinks ? EnumSet.of(FileVisitOption.FOLLOW_LINKS) : Set.of();
      try {
        Files.walkFileTree(root, options, Integer.MAX_VALUE, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (dir.equals(ama) || realOrSelf(dir).equals(realOrSelf(ama))) {
              return FileVisitResult.SKIP_SUBTREE; // the working folder's own staging state, always there
            }
            if (dir.equals(root)) {
              return FileVisitResult.CONTINUE;
            }
            Optional<String> why = filter.folderLeftOut(dir, prefix + relative(root, dir), top);
            if (why.isPresent()) {
              left.add(new AddFilter.Left(TerminalText.safe(display(dir)) + "/", why.get()));
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            String assetPath = prefix + relative(root, file);
            if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
              Optional<String> why = filter.fileLeftOut(file, assetPath, top);
              if (why.isPresent()) {
                left.add(new AddFilter.Left(TerminalText.safe(display(file)), why.get()));
                return FileVisitResult.CONTINUE;
              }
            }
            if (attrs.isRegularFile()) {
              found.add(staged(assetPath, followLinks ? realOrSelf(file) : file));
            } else if (attrs.isSymbolicLink()) {
              link(file, assetPath, rootReal, found);
            } else if (attrs.isOther()) {
              skip(file, kind(file) + ", not a regular file");
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof FileSystemLoopException) {
              skip(file, "a link to a folder it is in (a loop)");
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list the folder " + root + ": " + e.getMessage(), e);
      }
      // In path order, as the staged files, not in the order the directory lists them.
      List<String> why = skipped.subList(skippedBefore, skipped.size());
      why.sort(Comparator.naturalOrder());
      // With --include a folder may rightly give nothing; a pattern that matches nowhere is refused at the end.
      if (found.isEmpty() && !(filter.globs().hasIncludes() && left.size() > leftBefore)) {
        List<AddFilter.Left> leftOut = left.subList(leftBefore, left.size());
        List<String> shown = leftOut.stream().limit(5).map(l -> l.path() + " " + l.why()).toList();
        throw new InvalidInputException("cannot add '" + name + "': the folder holds no regular files"
            + (leftOut.isEmpty() ? "" : " that are not left out (left out: " + String.join("; ", shown)
                + (leftOut.size() > shown.size() ? "; and " + (leftOut.size() - shown.size()) + " more" : "")
                + "); change the patterns, or give -f to stage what .amaignore ignores")
            + (why.isEmpty() ? "" : " (skipped: " + String.join("; ", why) + ")"));
      }
      found.sort(Comparator.comparing(Stage.StagedFile::path));
      files.addAll(found);
    }

    /** A link met inside a folder, not followed by the walk itself. */
    private void link(Path file, String assetPath, Path rootReal, List<Stage.StagedFile> found) {
      Path real = real(file);
      if (real == null) {
        skip(file, "a link to " + linkTarget(file) + ", which does not exist");
      } else if (!followLinks && !real.startsWith(workReal) && !real.startsWith(rootReal)) {
        leaving.add(new Leaving(display(file), real));
      } else if (Files.isRegularFile(real)) {
        found.add(staged(assetPath, real));
      } else if (Files.isDirectory(real)) {
        String target = display(real);
        skip(file, "a link to the folder " + target + ", not followed; add " + target
            + " itself, or give --follow-symlinks");
      } else {
        skip(file, "a link to " + kind(real) + ", not a regular file");
      }
    }

    private void skip(Path file, String why) {
      skipped.add(TerminalText.safe("skipped " + display(file) + ": " + why));
    }

    /** A path as the user would write it: relative to the working folder when inside it. */
    private String display(Path path) {
      Path absolute = path.toAbsolutePath().normalize();
      if (absolute.startsWith(workDir) && !absolute.equals(workDir)) {
        return workDir.relativize(absolute).toString();
      }
      if (absolute.startsWith(workReal) && !absolute.equals(workReal)) {
        return workReal.relativize(absolute).toString();
      }
      return absolute.toString();
    }

    private Stage.StagedFile staged(String assetPath, Path file) {
      Names.checkPath(assetPath);
      return new Stage.StagedFile(assetPath, display(file));
    }
  }

  /**
   * Where a staged source now points if it has become a symbolic link that leaves the working
   * folder since it was staged; sources staged from links are their targets, never links.
   */
  static Optional<Path> leavingLink(Path workDir, Path source) {
    if (!Files.isSymbolicLink(source)) {
      return Optional.empty();
    }
    Path real = real(source);
    Path workReal = realOrSelf(workDir.toAbsolutePath().normalize());
    return real == null || real.startsWith(workReal) ? Optional.empty() : Optional.of(real);
  }

  private static String relative(Path root, Path file) {
    List<String> segments = new ArrayList<>();
    root.relativize(file).forEach(s -> segments.add(s.toString()));
    return String.join("/", segments);
  }

  /** The attributes of the path itself, not of what a link points at; null if there is nothing. */
  private static BasicFileAttributes attributes(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Where a link finally points, every link on the way resolved; null if that does not exist. */
  private static Path real(Path link) {
    try {
      return link.toRealPath();
    } catch (IOException e) {
      return null;
    }
  }

  private static Path realOrSelf(Path path) {
    Path real = real(path);
    return real == null ? path.toAbsolutePath().normalize() : real;
  }

  private static String linkTarget(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** What a file that is neither a regular file, a folder nor a link is, for messages. */
  static String kind(Path path) {
    try {
      int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      switch (mode & 0170000) {
        case 0010000:
          return "a FIFO (named pipe)";
        case 0140000:
          return "a socket";
        case 0020000:
          return "a character device";
        case 0060000:
          return "a block device";
        default:
          break;
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // no unix attributes on this file system: say what is known
    }
    return "a special file";
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
