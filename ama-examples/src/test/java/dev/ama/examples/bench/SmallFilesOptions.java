package dev.ama.examples.bench;

import dev.ama.spi.StorageOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The transfer benchmark's options for the many-small-files cases of issue 18: the round-trip times
 * to run them at, whether to run only them, and the slow many-files mode.
 *
 * @param rttsMillis the round-trip times, in milliseconds, at which the small-file cases run
 *     against rclone and aws-cli; 0 is loopback without the {@link LatencyProxy}
 * @param smallFilesOnly run only the small-file cases (no hashing, large file, filesystem store or
 *     CLI rows), for repeated runs of the figures issue 18 names
 * @param many the number of files of the many-files mode (100,000 in issue 18), empty when off
 * @param manyFileSize the size of each file of the many-files mode
 */
record SmallFilesOptions(List<Integer> rttsMillis, boolean smallFilesOnly, Optional<Integer> many, long manyFileSize) {

  /** Collects these options from a command line, beside the benchmark's others. */
  static final class Parser {
    static final String USAGE = "--rtt MS[,MS...] (default 0,20), --small-files-only,"
        + " --many N [--many-file-size 4KiB] [--heap 256m]";

    private List<Integer> rtts = List.of(0, 20);
    private boolean smallFilesOnly;
    private Optional<Integer> many = Optional.empty();
    private long manyFileSize = 4 << 10;

    /**
     * Takes the option at {@code args[i]} if it is one of these, with its value; returns the index
     * of the last argument taken, or -1 when the option is another's.
     */
    int parse(String[] args, int i) {
      switch (args[i]) {
        case "--rtt" -> rtts = rtts(value(args, i));
        case "--small-files-only" -> {
          smallFilesOnly = true;
          return i;
        }
        case "--many" -> many = Optional.of(count(args[i], value(args, i)));
        case "--many-file-size" -> manyFileSize = StorageOptions.parseSize(value(args, i));
        default -> {
          return -1;
        }
      }
      return i + 1;
    }

    SmallFilesOptions build() {
      return new SmallFilesOptions(rtts, smallFilesOnly, many, manyFileSize);
    }

    private static String value(String[] args, int i) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value; options: " + USAGE);
      }
      return args[i + 1];
    }

    private static List<Integer> rtts(String value) {
      List<Integer> out = new ArrayList<>();
      for (String part : value.split(",")) {
        int ms = count("--rtt", part.trim());
        if (out.contains(ms)) {
          throw new IllegalArgumentException("--rtt " + value + " names " + ms + " ms twice; give each round-trip"
              + " time once, such as --rtt 0,20");
        }
        out.add(ms);
      }
      return List.copyOf(out);
    }

    private static int count(String option, String value) {
      try {
        int n = Integer.parseInt(value);
        if (n >= 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // Explained below.
      }
      throw new IllegalArgumentException(option + " takes whole numbers of 0 or more, not '" + value + "'"
          + (option.equals("--rtt") ? "; round-trip times are in milliseconds, such as --rtt 0,20" : ""));
    }
  }
}
