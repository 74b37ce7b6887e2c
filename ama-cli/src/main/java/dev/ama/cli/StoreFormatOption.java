package dev.ama.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --store-format} of the commands that may create a store ({@code upload}, {@code import}). */
final class StoreFormatOption {
  @Option(names = "--store-format", paramLabel = "1|2", description = "The format of the store if this creates it:"
      + " 2 (the default) packs small files; 1 for a store that AMA releases older than format 2 must read. An"
      + " existing store keeps its format ('ama migrate' moves one to 2). Default AMA_STORE_FORMAT, else"
      + " store_format in the config file.")
  Optional<Integer> value = Optional.empty();
}
