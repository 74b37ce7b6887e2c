package dev.ama.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Human and JSON output: sizes, times, aligned tables. */
final class Format {
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    JSON.getFactory().setCharacterEscapes(new TerminalSafeEscapes());
  }
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private Format() {}

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static ArrayNode array() {
    return JSON.createArrayNode();
  }

  /**
   * The version of the shape of every {@code --json} output, its first field {@code "schema"}. It
   * goes up when a field is renamed, removed or changes meaning; new fields may appear without it.
   */
  static final int SCHEMA = 1;

  /** Prints a JSON document, pretty, on its own lines, with {@code "schema"} as its first field. */
  static void printJson(PrintWriter out, ObjectNode node) {
    ObjectNode document = object().put("schema", SCHEMA);
    node.fields().forEachRemaining(f -> {
      if (!f.getKey().equals("schema")) {
        document.set(f.getKey(), f.getValue());
      }
    });
    try {
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Prints a list as a JSON document: {@code {"schema": 1, "<field>": [...]}}, so that lists too
   * carry the schema version and can gain fields beside the list.
   */
  static void printJsonList(PrintWriter out, String field, ArrayNode list) {
    ObjectNode document = object();
    document.set(field, list);
    printJson(out, document);
  }

  /** {@code 0 B}, {@code 512 B}, {@code 1.5 KiB}, {@code 3.2 GiB}. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }

  /**
   * An instant as every output shows it, tables and JSON alike: ISO-8601 in UTC, always to the
   * millisecond (the precision AMA records), such as {@code 2026-11-22T07:50:12.000Z}.
   * {@link Instant#toString} would leave out a fraction of zero and show micro- or nanoseconds.
   */
  static String time(Instant at) {
    return TIME.format(at);
  }

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * JSON escapes for what a terminal would act on beyond the control characters JSON escapes
   * anyway, so that {@code --json} shown on a terminal is as harmless as text output. The
   * escaped values read back exactly the same.
   */
  private static final class TerminalSafeEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = standardAsciiEscapesForJSON();

    TerminalSafeEscapes() {
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return TerminalText.unsafeBeyondJson(ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }
  }

  /**
   * Rows of cells printed as left-aligned columns separated by two spaces. Cells are made
   * {@linkplain TerminalText#safe terminal-safe}, as they hold names from the store.
   */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table row(String... cells) {
      rows.add(Arrays.stream(cells).map(TerminalText::safe).toArray(String[]::new));
      return this;
    }

    boolean isEmpty() {
      return rows.isEmpty();
    }

    void print(PrintWriter out, String indent) {
      int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
      int[] widths = new int[columns];
      for (String[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          widths[i] = Math.max(widths[i], row[i].codePointCount(0, row[i].length()));
        }
      }
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder(indent);
        for (int i = 0; i < row.length; i++) {
          line.append(row[i]);
          if (i < row.length - 1) {
            line.append(" ".repeat(widths[i] - row[i].codePointCount(0, row[i].length()) + 2));
          }
        }
        out.println(line.toString().stripTrailing());
      }
    }
  }
}
