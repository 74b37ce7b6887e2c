package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ama.AssetClient;
import dev.ama.Digest;
import dev.ama.FileMatch;
import dev.ama.InvalidInputException;
import dev.ama.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "find",
    mixinStandardHelpOptions = true,
    description = {
      "Find the versions holding a file with the same bytes.",
      "",
      "Matches by content (SHA-256), whatever the file is called in each version, across all asset"
          + " types, newest first. When nothing matches it says so on stderr and exits with code 3 (not found);"
          + " with --json it prints no matches and exits with code 3 too, so scripts can test the exit code.",
      ""
    },
    footer = {
      "%nJSON: {schema, matches: [{type, version, path, aliases, by, at}]}, newest first.",
      "%nExamples:",
      "  ama find model.yml",
      "  ama find --digest sha256:7ac893d3e0fcdf3a5744be676b52c5614eac8e28ffcb34102798990a01748b59",
      "  ama find training.yml --json"
    })
final class FindCommand extends AmaCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "A local file to look for.")
  Optional<String> file = Optional.empty();

  @Option(names = "--digest", paramLabel = "sha256:HEX", description = "Look for these bytes instead of a file's.")
  Optional<String> digest = Optional.empty();

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    if (file.isPresent() == digest.isPresent()) {
      throw usage("find needs a FILE or --digest sha256:HEX, not both, such as: ama find model.yml");
    }
    List<FileMatch> matches;
    try (AssetClient client = openClient()) {
      if (file.isPresent()) {
        Path path = workDir().resolve(file.get());
        if (!Files.isRegularFile(path)) {
          throw new NotFoundException("cannot look for '" + file.get() + "': no such file in " + workDir());
        }
        matches = client.find(path);
      } else {
        Digest d;
        try {
          d = Digest.parse(digest.get());
        } catch (IllegalArgumentException e) {
          throw new InvalidInputException(e.getMessage() + ", such as the digest 'ama show' prints for a file");
        }
        matches = client.find(d);
      }
    }
    // Nothing found is an answer in JSON ([]), but still exit 3 so a script can test for it.
    int exit = matches.isEmpty() ? ExitCodes.NOT_FOUND : ExitCodes.OK;
    if (json) {
      ArrayNode array = Format.array();
      for (FileMatch m : matches) {
        var node = array.addObject()
            .put("type", m.version().type())
            .put("version", m.version().version().toString())
            .put("path", m.path());
        ArrayNode aliases = node.putArray("aliases");
        m.aliases().forEach(aliases::add);
        node.put("by", m.version().createdBy()).put("at", Format.time(m.version().createdAt()));
      }
      Format.printJsonList(out(), "matches", array);
      return exit;
    }
    if (matches.isEmpty()) {
      cli().err().println(TerminalText.safe("ama: no version holds a file identical to "
          + file.map(f -> "'" + f + "'").orElse(digest.orElse("")) + "; it was never uploaded to this store, or"
          + " its bytes differ from every uploaded file"));
      return exit;
    }
    Format.Table table = new Format.Table().row("TYPE", "ALIASES", "VERSION", "PATH", "BY", "AT");
    for (FileMatch m : matches) {
      table.row(m.version().type(), m.aliases().isEmpty() ? "-" : String.join(",", m.aliases()),
          Views.shortId(m.version().version()), m.path(), m.version().createdBy(), Format.time(m.version().createdAt()));
    }
    table.print(out(), "");
    return ExitCodes.OK;
  }
}
