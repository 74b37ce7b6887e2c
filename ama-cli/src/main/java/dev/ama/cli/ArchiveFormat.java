package dev.ama.cli;

import dev.ama.InvalidInputException;
import java.nio.file.Path;
import java.util.Locale;

/** The archive kinds {@code ama import} reads and {@code ama download --archive} writes, by file name. */
enum ArchiveFormat {
  ZIP,
  TAR_GZ;

  static final String NAMES = ".zip, .tar.gz or .tgz";

  /**
   * The format a file name says.
   *
   * @param option what named the file, for the message ({@code ama import}, {@code --archive})
   * @throws InvalidInputException if the name ends in none of {@value #NAMES}
   */
  static ArchiveFormat of(Path file, String option) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".zip")) {
      return ZIP;
    }
    if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
      return TAR_GZ;
    }
    throw new InvalidInputException(option + " " + file + ": the archive kind is told by the file name, which must end in "
        + NAMES + " (zip, or tar compressed with gzip); rename the file, or for another kind unpack it and use: ama add");
  }
}
