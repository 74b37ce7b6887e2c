package dev.ama.cli;

import dev.ama.AmaException;
import dev.ama.ConflictException;
import dev.ama.IntegrityException;
import dev.ama.InvalidInputException;
import dev.ama.LocalFileException;
import dev.ama.NotFoundException;
import dev.ama.StoreException;

/** The exit codes of {@code ama}, stable for scripts; documented in {@code ama --help} and docs/cli.md. */
final class ExitCodes {
  static final int OK = 0;
  static final int UNEXPECTED = 1;
  static final int USAGE = 2;
  static final int NOT_FOUND = 3;
  static final int INVALID_INPUT = 4;
  static final int CONFLICT = 5;
  static final int INTEGRITY = 6;
  static final int STORE_UNREACHABLE = 7;
  static final int LOCAL_FILE = 8;

  /** The exit code list as shown at the foot of {@code ama --help}. */
  static final String HELP_LIST =
      "%nExit codes:%n"
          + "  0  success%n"
          + "  1  unexpected error (run again with --verbose to see the stack trace)%n"
          + "  2  usage: unknown command or option, missing argument%n"
          + "  3  not found: asset type, alias, version, file or store folder%n"
          + "  4  invalid input: bad name, nothing staged, no asset started, ambiguous%n"
          + "  5  conflict: staged files not uploaded, download folder holds other files%n"
          + "  6  integrity: stored bytes do not match their digest; ama doctor: the store%n"
          + "     lacks a property AMA needs%n"
          + "  7  store unreachable or refused the request%n"
          + "  8  local file: a file changed or vanished while uploading, or the download%n"
          + "     folder or local cache cannot be written (permissions, free space)%n";

  private ExitCodes() {}

  /** The exit code for an error, by its type; anything not an {@link AmaException} is unexpected. */
  static int of(Throwable e) {
    if (e instanceof NotFoundException) {
      return NOT_FOUND;
    }
    if (e instanceof InvalidInputException) {
      return INVALID_INPUT;
    }
    if (e instanceof ConflictException) {
      return CONFLICT;
    }
    if (e instanceof IntegrityException) {
      return INTEGRITY;
    }
    if (e instanceof LocalFileException) {
      return LOCAL_FILE;
    }
    if (e instanceof StoreException) {
      return STORE_UNREACHABLE;
    }
    return UNEXPECTED;
  }
}
