package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** What {@link TerminalText} escapes and what it leaves alone. */
class TerminalTextTest {
  @Test
  void lettersOfAnyScriptAndEmojiArePrintedAsTheyAre() {
    String text = "Größe-模型 model 🚀.yml";
    assertSame(text, TerminalText.safe(text));
  }

  @Test
  void controlCharactersAreEscapedVisibly() {
    assertEquals("a\\x1b[31mb\\x07c\\x00d\\x7fe\\u009bf\\n\\r\\t",
        TerminalText.safe("a\u001b[31mb\u0007c\u0000d\u007fe\u009bf\n\r\t"));
  }

  @Test
  void bidiOverridesLineSeparatorsAndLoneSurrogatesAreEscaped() {
    assertEquals("txt.\\u202eexe \\u2066x\\u2069 \\u2028 \\ud800 \\udc00",
        TerminalText.safe("txt.\u202eexe \u2066x\u2069 \u2028 \ud800 \udc00"));
  }

  @Test
  void escapingTwiceChangesNothingMore() {
    String once = TerminalText.safe("x\u001by\u202e");
    assertEquals(once, TerminalText.safe(once));
  }

  @Test
  void safeLinesKeepsLineBreaksOnly() {
    assertEquals("a\\x1b\nb\\r\n", TerminalText.safeLines("a\u001b\nb\r\n"));
  }
}
