package dev.ama.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.examples.bench.ScaleBenchmark;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scale benchmark on a small store: no query reads more manifests than its answer needs. */
class ScaleBenchmarkTest {
  @TempDir Path tmp;

  @Test
  void queriesReadOnlyTheManifestsInTheirAnswer() throws Exception {
    List<ScaleBenchmark.Figure> f = ScaleBenchmark.run(400, tmp);

    ScaleBenchmark.Figure find = f.get(0);
    assertEquals(40, find.answers());
    assertTrue(find.manifestsRead() <= find.answers() + 1, find.toString());

    ScaleBenchmark.Figure lineage = f.get(1);
    assertEquals(1 + 100, lineage.answers());
    assertTrue(lineage.manifestsRead() <= 2L * lineage.answers(), lineage.toString());

    ScaleBenchmark.Figure ls = f.get(2);
    assertEquals(20, ls.answers());
    assertTrue(ls.manifestsRead() <= 20, ls.toString());

    assertTrue(f.get(4).manifestsRead() <= 1, f.get(4).toString());
  }
}
