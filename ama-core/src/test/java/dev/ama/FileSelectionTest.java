package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FileSelectionTest {
  private static AssetFile file(String path) {
    return new AssetFile(path, Digest.sha256(path.getBytes(StandardCharsets.UTF_8)), 1);
  }

  private static final AssetVersion MODEL = new AssetVersion(Digest.sha256(new byte[] {1}), "rnn_models",
      List.of(file("model.h5"), file("model.yml"), file("ckpt/step-1.pt"), file("ckpt/deep/step-2.pt"), file("notes.md")),
      List.of(), "ann", Instant.EPOCH, Optional.of("my_model"), Optional.empty(), Map.of());

  private static List<String> paths(FileSelection s) {
    return s.select(MODEL).stream().map(AssetFile::path).toList();
  }

  @Test
  void aPatternWithoutASlashMatchesNamesAtAnyDepth() {
    assertEquals(List.of("ckpt/step-1.pt", "ckpt/deep/step-2.pt"), paths(FileSelection.include("*.pt")));
    assertEquals(List.of("model.h5"), paths(FileSelection.include("model.h5")));
  }

  @Test
  void aPatternWithASlashMatchesTheWholePath() {
    assertEquals(List.of("ckpt/step-1.pt"), paths(FileSelection.include("ckpt/*.pt")));
    assertEquals(List.of("ckpt/step-1.pt", "ckpt/deep/step-2.pt"), paths(FileSelection.include("ckpt/**")));
    assertEquals(List.of("model.h5"), paths(FileSelection.include("/model.h5")));
  }

  @Test
  void patternsAddUpInManifestOrder() {
    assertEquals(List.of("model.h5", "model.yml", "notes.md"), paths(FileSelection.include("*.md", "model.{h5,yml}")));
  }

  @Test
  void noPatternSelectsEverything() {
    assertTrue(FileSelection.include(List.of()).isAll());
    assertEquals(MODEL.files(), FileSelection.all().select(MODEL));
    assertFalse(FileSelection.include("x").isAll());
  }

  @Test
  void aPatternMatchingNothingIsRefusedAndListsTheFiles() {
    NotFoundException e = assertThrows(NotFoundException.class, () -> FileSelection.include("*.h5", "*.pth").select(MODEL));
    assertTrue(e.getMessage().contains("'*.pth' matches no file"), e.getMessage());
    assertTrue(e.getMessage().contains("model.h5, model.yml, ckpt/step-1.pt"), e.getMessage());
  }

  @Test
  void badPatternsAreRefusedByName() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> FileSelection.include("model.{h5"));
    assertTrue(e.getMessage().contains("'model.{h5' is not a valid glob"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> FileSelection.include(" "));
  }
}
