package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "compact",
    mixinStandardHelpOptions = true,
    description = {
      "Compact the content index of a format 2 store.",
      "",
      "Merges the upload records written since the last compaction into a new generation of the content"
          + " table, so that ama find and uploads read a few table shards instead of every recent record. It"
          + " only adds objects, so it needs no dry run: it is safe alongside uploads and other compactions, and"
          + " to stop at any point. Old generations are removed by ama gc. A format 1 store has no content table"
          + " and is left as it is.",
      ""
    },
    footer = {
      "%nJSON: {committed, generation, recordsMerged, blobs}.",
      "%nSee docs/store-format.md, \"The content table\".",
      "%nExamples:",
      "  ama compact",
      "  ama compact --json --store s3://bucket/models"
    })
final class CompactCommand extends AmaCommand {
  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    AssetClient.IndexCompaction c;
    boolean packed;
    try (AssetClient client = openClient()) {
      c = client.compactIndex();
      packed = client.storeFormat() >= 2;
    }
    if (json) {
      ObjectNode n = Format.object();
      n.put("committed", c.committed());
      n.put("generation", c.generation());
      n.put("recordsMerged", c.recordsMerged());
      n.put("blobs", c.blobs());
      Format.printJson(out(), n);
    } else if (!packed) {
      info("the store is in format 1, which has no content index to compact; 'ama migrate' moves it to format 2");
    } else if (c.committed()) {
      info("compacted the content index: generation " + c.generation() + " merges " + c.recordsMerged()
          + " upload record(s) and holds " + c.blobs() + " blob(s)");
    } else {
      info("another compaction committed the same generation first; nothing to add");
    }
    return ExitCodes.OK;
  }
}
