package dev.ama.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A command about one version, named by its type and a selector given as {@code --alias}. */
abstract class VersionCommand extends AmaCommand {
  @Parameters(index = "0", paramLabel = "TYPE", description = "The asset type.")
  String type;

  @Option(
      names = "--alias",
      required = true,
      paramLabel = "ALIAS",
      description = "The alias; also alias@N (its N-th move), alias@latest, sha256:<hex> or a unique digest prefix.")
  String alias;
}
