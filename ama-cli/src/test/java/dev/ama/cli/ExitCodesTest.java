package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ama.AmaException;
import dev.ama.ConflictException;
import dev.ama.IntegrityException;
import dev.ama.InvalidInputException;
import dev.ama.LocalFileException;
import dev.ama.NotFoundException;
import dev.ama.StoreException;
import org.junit.jupiter.api.Test;

/** Each AmaException subclass has its documented exit code; anything else is 1. */
class ExitCodesTest {
  @Test
  void exceptionTypesMapToTheDocumentedCodes() {
    assertEquals(3, ExitCodes.of(new NotFoundException("x")));
    assertEquals(4, ExitCodes.of(new InvalidInputException("x")));
    assertEquals(5, ExitCodes.of(new ConflictException("x")));
    assertEquals(6, ExitCodes.of(new IntegrityException("x")));
    assertEquals(7, ExitCodes.of(new StoreException("x")));
    assertEquals(1, ExitCodes.of(new AmaException("x")));
    assertEquals(1, ExitCodes.of(new IllegalStateException("x")));
  }

  @Test
  void everyCodeIsListedInTheHelp() {
    String help = String.format(ExitCodes.HELP_LIST);
    for (int code = 0; code <= 7; code++) {
      assertEquals(true, help.contains("\n  " + code + "  "), "code " + code + " missing in\n" + help);
    }
  }

  @Test
  void aLocalFileErrorHasItsOwnCodeListedInTheHelp() {
    assertEquals(8, ExitCodes.of(new LocalFileException("x")));
    String help = String.format(ExitCodes.HELP_LIST);
    assertEquals(true, help.contains("\n  8  local file: "), help);
  }
}
