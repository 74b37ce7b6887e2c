package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesAndPathsTest {

  @ParameterizedTest
  @ValueSource(strings = {"rnn_models", "nlp-embeddings", "v2.models", "0models"})
  void acceptsPortableTypeNames(String type) {
    assertEquals(type, Names.checkType(type));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "RNN", "rnn models", "_x", "a/b", "modèles", "a@b"})
  void refusesOtherTypeNamesSayingWhichCharactersAreAllowed(String type) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Names.checkType(type));
    assertTrue(e.getMessage().contains("'" + type + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("lowercase letters a-z, digits 0-9, '_', '.', '-'"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"my_model", "My-Model.v2", "2026-11-22"})
  void acceptsPortableAliases(String alias) {
    assertEquals(alias, Names.checkAlias(alias));
  }

  @ParameterizedTest
  @ValueSource(strings = {"my model", "modèle", "a/b", "-x", "x@1", ""})
  void refusesOtherAliasesSayingWhichCharactersAreAllowed(String alias) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Names.checkAlias(alias));
    assertTrue(e.getMessage().contains("letters A-Z a-z, digits 0-9"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"model.h5", "sub dir/mödel ü.yml", "a/b/c.bin", "données/训练.yml", ".hidden"})
  void acceptsRelativeNormalizedPathsWithSpacesAndNonAsciiLetters(String path) {
    assertEquals(path, AssetPaths.check(path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../evil", "a/../../evil", "/etc/passwd", "C:/Windows/x", "c:evil", "a\\..\\evil",
      "a//b", "a/./b", "trailing/", "nul\u0000byte", ""})
  void refusesPathsThatCouldLeaveTheTargetFolder(String path) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> AssetPaths.check(path));
    assertTrue(e.getMessage().startsWith("unsafe file path"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"model.h5", "a/b/c.bin"})
  void resolvesSafePathsInsideTheFolder(String path) {
    Path folder = Path.of("/tmp/target");
    assertTrue(AssetPaths.resolve(folder, path).startsWith(folder));
  }
}
