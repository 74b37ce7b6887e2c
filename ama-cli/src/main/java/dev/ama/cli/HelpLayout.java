package dev.ama.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.IParamLabelRenderer;
import picocli.CommandLine.Help.Layout;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.IHelpFactory;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How {@code ama}'s help is laid out, in two ways picocli's own layout is not:
 *
 * <ul>
 *   <li>Lines break only at spaces. picocli wraps with the JDK's line {@code BreakIterator}, which
 *       breaks after {@code :}, {@code /} and {@code -}, so {@code s3://bucket/prefix} came out as
 *       {@code s3:} and {@code //bucket/prefix} on two lines; a token longer than a line stays whole.
 *   <li>Global options (inherited by every subcommand) are listed once, in {@code ama --help}; a
 *       subcommand's help lists its own options and ends with one line pointing there.
 * </ul>
 */
final class HelpLayout implements IHelpFactory {
  /** The last line of every subcommand's help. */
  static final String GLOBAL_OPTIONS_LINE = "Global options (--store, --user, --quiet, --verbose, ...): see 'ama help'.";

  @Override
  public Help create(CommandSpec spec, ColorScheme colors) {
    return new AmaHelp(spec, colors);
  }

  /**
   * Wraps text at spaces to lines of at most {@code width} characters. Each line keeps its leading
   * indent on the lines it wraps into; a word longer than a line is put on a line of its own, whole.
   * An indented line starting with {@code ama } is an example command: it is continued with
   * {@code \\} at the end of each line but the last.
   */
  static String wrap(String text, int width) {
    List<String> out = new ArrayList<>();
    for (String line : text.split("\\R", -1)) {
      String indent = line.substring(0, line.length() - line.stripLeading().length());
      if (!indent.isEmpty() && line.strip().startsWith("ama ")) {
        // An example command: continued as the shell continues it, so that it can still be pasted.
        String more = indent + EXAMPLE_INDENT;
        List<String> parts = pack(line.strip(), width - indent.length() - 2, width - more.length() - 2);
        out.add(indent + String.join(" \\" + System.lineSeparator() + more, parts));
        continue;
      }
      for (String packed : pack(line.strip(), width - indent.length(), width - indent.length())) {
        out.add(packed.isEmpty() ? "" : indent + packed);
      }
    }
    return String.join(System.lineSeparator(), out);
  }

  /** How much further than its first line an example's continuation lines are indented. */
  private static final String EXAMPLE_INDENT = "    ";

  /**
   * Words packed greedily into lines: the first of at most {@code first} characters, the others of
   * at most {@code rest}. Runs of spaces inside a line are kept (tables in examples rely on them).
   */
  static List<String> pack(String text, int first, int rest) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      int spaces = i;
      while (spaces < text.length() && text.charAt(spaces) == ' ') {
        spaces++;
      }
      int end = text.indexOf(' ', spaces);
      end = end < 0 ? text.length() : end;
      String gap = text.substring(i, spaces);
      String word = text.substring(spaces, end);
      int limit = lines.isEmpty() ? first : rest;
      if (line.length() > 0 && line.length() + gap.length() + word.length() > limit) {
        lines.add(line.toString());
        line.setLength(0);
        gap = "";
      }
      line.append(line.length() == 0 && !lines.isEmpty() ? "" : gap).append(word);
      i = end;
    }
    lines.add(line.toString());
    return lines;
  }

  private static final class AmaHelp extends Help {
    AmaHelp(CommandSpec spec, ColorScheme colors) {
      super(spec, colors);
    }

    private boolean isSubcommand() {
      return commandSpec().parent() != null;
    }

    private int width() {
      return commandSpec().usageMessage().width();
    }

    /** A subcommand's own options: without the inherited global ones. */
    private List<OptionSpec> own(List<OptionSpec> options) {
      return options.stream().filter(o -> !o.inherited()).toList();
    }

    @Override
    protected Text createDetailedSynopsisOptionsText(Collection<ArgSpec> done, List<OptionSpec> options,
        Comparator<OptionSpec> sort, boolean cluster) {
      return super.createDetailedSynopsisOptionsText(done, own(options), sort, cluster);
    }

    @Override
    public String optionListExcludingGroups(List<OptionSpec> options, Layout layout,
        Comparator<OptionSpec> sort, IParamLabelRenderer labels) {
      return super.optionListExcludingGroups(own(options), layout, sort, labels);
    }

    @Override
    public Layout createDefaultLayout() {
      Layout layout = super.createDefaultLayout();
      return new Layout(colorScheme(), new SpaceWrappingTable(colorScheme(), layout.textTable()),
          layout.optionRenderer(), layout.parameterRenderer());
    }

    @Override
    public TextTable createTextTable(Map<?, ?> map) {
      return new SpaceWrappingTable(colorScheme(), super.createTextTable(map));
    }

    @Override
    public String description(Object... params) {
      return paragraphs(commandSpec().usageMessage().description(), params);
    }

    @Override
    public String header(Object... params) {
      return paragraphs(commandSpec().usageMessage().header(), params);
    }

    @Override
    public String footer(Object... params) {
      String footer = paragraphs(commandSpec().usageMessage().footer(), params);
      return isSubcommand() ? footer + System.lineSeparator() + wrap(GLOBAL_OPTIONS_LINE, width()) + System.lineSeparator()
          : footer;
    }

    private String paragraphs(String[] lines, Object... params) {
      if (lines.length == 0) {
        return "";
      }
      StringBuilder text = new StringBuilder();
      for (String line : lines) {
        text.append(wrap(String.format(line, params), width())).append(System.lineSeparator());
      }
      return text.toString();
    }
  }

  /** picocli's table with its columns, wrapping text in a column at spaces only. */
  private static final class SpaceWrappingTable extends TextTable {
    private final ColorScheme colors;

    SpaceWrappingTable(ColorScheme colors, TextTable model) {
      super(colors, model.columns());
      this.colors = colors;
      this.indentWrappedLines = model.indentWrappedLines;
    }

    @Override
    public Cell putValue(int row, int col, Text value) {
      Column column = columns()[col];
      int room = column.width - column.indent;
      String plain = value.plainString();
      if (column.overflow != Column.Overflow.WRAP || plain.length() <= room || plain.contains("\n")) {
        return super.putValue(row, col, value);
      }
      List<String> lines = pack(plain, room, room - indentWrappedLines);
      Cell cell = null;
      int start = 0;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        start = plain.indexOf(line, start);
        Text part = value.substring(start, start + line.length());
        start += line.length();
        while (rowCount() <= row + i) {
          addEmptyRow();
        }
        if (i > 0) {
          part = colors.ansi().new Text(" ".repeat(indentWrappedLines), colors).concat(part);
        }
        cell = super.putValue(row + i, col, part);
      }
      return cell;
    }
  }
}
