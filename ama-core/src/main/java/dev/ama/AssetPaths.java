package dev.ama;

import java.nio.file.Path;

/**
 * Rules for the path of a file inside an asset. A manifest read from a store is untrusted input:
 * its paths must never lead a download outside the target folder, on any operating system.
 */
final class AssetPaths {
  /** The longest path accepted, in characters. */
  static final int MAX_LENGTH = 1024;
  /** The longest file or folder name common file systems hold (ext4, XFS, APFS, ZFS), in UTF-8 bytes. */
  static final int MAX_NAME_BYTES = 255;

  private AssetPaths() {}

  /**
   * Checks that a path is relative, {@code /}-separated and normalized: no empty, {@code .} or
   * {@code ..} segments, no leading {@code /}, no backslash, no drive letter, no NUL or other
   * control characters. Spaces and non-ASCII letters are fine.
   *
   * @return the path
   * @throws InvalidInputException naming the path and the rule it breaks
   */
  static String check(String path) {
    String problem = problem(path);
    if (problem != null) {
      throw new InvalidInputException("unsafe file path " + Names.quote(escape(path)) + " in asset: " + problem);
    }
    return path;
  }

  private static String problem(String path) {
    if (path == null || path.isEmpty()) {
      return "the path is empty";
    }
    if (path.length() > MAX_LENGTH) {
      return "longer than " + MAX_LENGTH + " characters";
    }
    if (path.startsWith("/")) {
      return "absolute paths are not allowed; paths are relative to the asset";
    }
    if (path.length() >= 2 && path.charAt(1) == ':' && Character.isLetter(path.charAt(0))) {
      return "drive letters are not allowed; paths are relative to the asset";
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\') {
        return "backslashes are not allowed; separate folders with '/'";
      }
      if (c < 0x20 || c == 0x7f) {
        return "control characters (such as NUL) are not allowed";
      }
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty()) {
        return "empty folder names ('//' or a trailing '/') are not allowed";
      }
      if (segment.equals(".") || segment.equals("..")) {
        return "'.' and '..' are not allowed; a path may not leave the asset's folder";
      }
    }
    return null;
  }

  /**
   * Resolves a checked asset path under a folder, verifying that the result stays inside it.
   *
   * @throws InvalidInputException if the path is unsafe
   */
  static Path resolve(Path folder, String path) {
    check(path);
    Path result = folder;
    for (String segment : path.split("/")) {
      result = result.resolve(segment);
    }
    Path normalFolder = folder.toAbsolutePath().normalize();
    if (!result.toAbsolutePath().normalize().startsWith(normalFolder)) {
      throw new InvalidInputException(
          "unsafe file path " + Names.quote(path) + " in asset: it leads outside " + folder);
    }
    return result;
  }

  /** The first file or folder name of a path longer than {@link #MAX_NAME_BYTES} in UTF-8, if any. */
  static java.util.Optional<String> tooLongName(String path) {
    for (String segment : path.split("/")) {
      if (segment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
        return java.util.Optional.of(segment);
      }
    }
    return java.util.Optional.empty();
  }

  /** A name cut short for a message, with its length in bytes. */
  static String describeLongName(String name) {
    return "'" + name.substring(0, Math.min(40, name.length())) + "…' ("
        + name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes)";
  }

  private static String escape(String s) {
    return s == null ? null : s.replace("\u0000", "\\0");
  }
}
