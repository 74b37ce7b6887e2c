package dev.ama;

import java.util.regex.Pattern;

/**
 * Rules for asset type and alias names, and for the paths of files inside an asset. Types and
 * aliases become parts of storage keys and IAM policy prefixes, so they are kept to a portable
 * alphabet; paths become file names on every operating system a version is downloaded to.
 */
public final class Names {
  private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
  private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  /** The characters a type may use, for error messages. */
  public static final String TYPE_RULE =
      "1 to 64 characters: lowercase letters a-z, digits 0-9, '_', '.', '-', starting with a letter or digit";

  /** The characters an alias may use, for error messages. */
  public static final String ALIAS_RULE =
      "1 to 128 characters: letters A-Z a-z, digits 0-9, '_', '.', '-', starting with a letter or digit";

  private Names() {}

  /**
   * Checks an asset type name such as {@code rnn_models}.
   *
   * @return the name
   * @throws InvalidInputException naming the value and the allowed characters
   */
  public static String checkType(String type) {
    if (type == null || !TYPE.matcher(type).matches()) {
      throw new InvalidInputException(
          "invalid asset type " + quote(type) + ": use " + TYPE_RULE + " (for example rnn_models)");
    }
    return type;
  }

  /**
   * Checks an alias name such as {@code my_model}.
   *
   * @return the name
   * @throws InvalidInputException naming the value and the allowed characters
   */
  public static String checkAlias(String alias) {
    if (alias == null || !ALIAS.matcher(alias).matches()) {
      throw new InvalidInputException(
          "invalid alias " + quote(alias) + ": use " + ALIAS_RULE + " (for example my_model)");
    }
    return alias;
  }

  /**
   * Checks the path of a file inside an asset, such as {@code checkpoints/step-100.bin}: relative,
   * {@code /}-separated and normalized (no empty, {@code .} or {@code ..} segments, no leading
   * {@code /}, no backslash, no drive letter, no control characters), at most {@value
   * AssetPaths#MAX_LENGTH} characters. Spaces and non-ASCII letters are fine.
   *
   * @return the path
   * @throws InvalidInputException naming the path and the rule it breaks
   */
  public static String checkPath(String path) {
    return AssetPaths.check(path);
  }

  /** Whether a text is a valid alias, for callers deciding between an alias and another form. */
  public static boolean isValidAlias(String alias) {
    return alias != null && ALIAS.matcher(alias).matches();
  }

  /** Whether a text is a valid asset type name. */
  public static boolean isValidType(String type) {
    return type != null && TYPE.matcher(type).matches();
  }

  static String quote(String s) {
    return s == null ? "(none)" : "'" + s + "'";
  }
}
