package dev.ama;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM text (RFC 7468): a label and base64 of DER between BEGIN and END lines. */
final class Pem {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");

  private Pem() {}

  /** The DER of the first block with this label, or empty. */
  static java.util.Optional<byte[]> decode(String text, String label) {
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(label)) {
        return java.util.Optional.of(Base64.getMimeDecoder().decode(m.group(2)));
      }
    }
    return java.util.Optional.empty();
  }

  /** The labels of the blocks in a text, for messages about the wrong kind of file. */
  static java.util.List<String> labels(String text) {
    java.util.List<String> out = new java.util.ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /**
   * The DER of a file's block with this label.
   *
   * @param what the kind of key, for messages ("private key", "public key")
   * @param fix the next step when the file is of the wrong kind
   * @throws InvalidInputException if the file cannot be read or has no such block
   */
  static byte[] read(java.nio.file.Path file, String label, String what, String fix) {
    String text;
    try {
      text = java.nio.file.Files.readString(file, StandardCharsets.US_ASCII);
    } catch (java.io.IOException e) {
      throw new InvalidInputException("cannot read the " + what + " file " + file + ": " + e.getMessage() + ". " + fix, e);
    }
    java.util.List<String> found = labels(text);
    return decode(text, label).orElseThrow(() -> new InvalidInputException("file " + file + " holds no PEM " + what
        + " (-----BEGIN " + label + "-----; found " + (found.isEmpty() ? "no PEM block" : String.join(", ", found)) + ")"
        + (found.contains("PUBLIC KEY") && !label.equals("PUBLIC KEY") ? ": it is a public key, which verifies but cannot sign" : "")
        + ". " + fix));
  }

  static byte[] encode(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return ("-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n").getBytes(StandardCharsets.US_ASCII);
  }
}
