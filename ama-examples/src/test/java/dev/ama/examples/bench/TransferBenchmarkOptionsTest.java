package dev.ama.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The transfer benchmark's command line: sizes, the quick mode and the big-file mode. */
class TransferBenchmarkOptionsTest {

  @Test
  void defaultsAreTheDocumentedFullRun() {
    TransferBenchmark.Options o = TransferBenchmark.Options.parse(new String[0]);
    assertEquals(2000, o.files());
    assertEquals(64 * 1024, o.fileSize());
    assertEquals(1L << 30, o.large());
    assertTrue(o.cli());
    assertEquals(Optional.empty(), o.big());
  }

  @Test
  void quickShrinksTheSetsAndLaterOptionsStillApply() {
    TransferBenchmark.Options o = TransferBenchmark.Options.parse(new String[] {"--quick", "--files", "50"});
    assertEquals(50, o.files());
    assertEquals(64L << 20, o.large());
  }

  @Test
  void sizesTakeBinaryUnitsWithOrWithoutIb() {
    assertEquals(64 * 1024, TransferBenchmark.Options.size("64KiB"));
    assertEquals(5L << 30, TransferBenchmark.Options.size("5GiB"));
    assertEquals(256L << 20, TransferBenchmark.Options.size("256m"));
    assertEquals(1000, TransferBenchmark.Options.size("1000"));
    assertThrows(IllegalArgumentException.class, () -> TransferBenchmark.Options.size("five gigs"));
  }

  @Test
  void sizesArePrintedInTheLargestUnitThatFits() {
    assertEquals("64 KiB", TransferBenchmark.human(64 * 1024));
    assertEquals("5 GiB", TransferBenchmark.human(5L << 30));
    assertEquals("60.5 GiB", TransferBenchmark.human(63431224L * 1024));
    assertEquals("1.5 MiB", TransferBenchmark.human(3L << 19));
    assertEquals("100 B", TransferBenchmark.human(100));
  }

  @Test
  void bigModeCarriesItsSizeAndHeap() {
    TransferBenchmark.Options o = TransferBenchmark.Options.parse(new String[] {"--big", "5GiB", "--heap", "128m"});
    assertEquals(Optional.of(5L << 30), o.big());
    assertEquals("128m", o.heap());
  }

  @Test
  void smallFileCasesRunAtLoopbackAndTwentyMillisecondsUnlessToldOtherwise() {
    TransferBenchmark.Options o = TransferBenchmark.Options.parse(new String[0]);
    assertEquals(List.of(0, 20), o.smallFileCases().rttsMillis());
    assertFalse(o.smallFileCases().smallFilesOnly());
    assertEquals(Optional.empty(), o.smallFileCases().many());

    o = TransferBenchmark.Options.parse(new String[] {"--rtt", "0,5,80", "--small-files-only", "--files", "10"});
    assertEquals(List.of(0, 5, 80), o.smallFileCases().rttsMillis());
    assertTrue(o.smallFileCases().smallFilesOnly());
    assertEquals(10, o.files());
  }

  @Test
  void manyModeDefaultsToFourKibibyteFilesInTheSharedHeap() {
    TransferBenchmark.Options o = TransferBenchmark.Options.parse(new String[] {"--many", "100000", "--heap", "256m"});
    assertEquals(Optional.of(100_000), o.smallFileCases().many());
    assertEquals(4 * 1024, o.smallFileCases().manyFileSize());
    assertEquals("256m", o.heap());
    o = TransferBenchmark.Options.parse(new String[] {"--many", "50", "--many-file-size", "1KiB"});
    assertEquals(1024, o.smallFileCases().manyFileSize());
  }

  @Test
  void aBadRoundTripTimeIsRefusedWithTheFormItTakes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TransferBenchmark.Options.parse(new String[] {"--rtt", "20ms"}));
    assertTrue(e.getMessage().contains("'20ms'") && e.getMessage().contains("--rtt 0,20"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TransferBenchmark.Options.parse(new String[] {"--rtt", "20,20"}));
    assertTrue(e.getMessage().contains("twice"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TransferBenchmark.Options.parse(new String[] {"--many"}));
    assertTrue(e.getMessage().contains("--many needs a value"), e.getMessage());
  }

  @Test
  void storeFormatIsTheProductsDefaultUnlessOneOrTwoIsGiven() {
    assertEquals(Optional.empty(), TransferBenchmark.Options.parse(new String[0]).storeFormat());
    assertEquals(Optional.of(2),
        TransferBenchmark.Options.parse(new String[] {"--store-format", "2", "--small-files-only"}).storeFormat());
    assertEquals(Optional.of(1), TransferBenchmark.Options.parse(new String[] {"--store-format", "1"}).storeFormat());
    for (String[] bad : List.of(new String[] {"--store-format", "3"}, new String[] {"--store-format"})) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TransferBenchmark.Options.parse(bad));
      assertTrue(e.getMessage().contains("--store-format takes 1 or 2"), e.getMessage());
    }
  }

  @Test
  void filesystemOnlyRunsThreeRoundsUnlessToldOtherwise() {
    TransferBenchmark.Options o = TransferBenchmark.Options.parse(new String[0]);
    assertFalse(o.filesystemOnly());
    assertEquals(3, o.rounds());
    o = TransferBenchmark.Options.parse(new String[] {"--filesystem-only", "--rounds", "5"});
    assertTrue(o.filesystemOnly());
    assertEquals(5, o.rounds());
  }

  @Test
  void unknownOptionsAreRefusedWithTheListOfKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TransferBenchmark.Options.parse(new String[] {"--fast"}));
    assertTrue(e.getMessage().contains("--quick") && e.getMessage().contains("--rtt"), e.getMessage());
  }
}
