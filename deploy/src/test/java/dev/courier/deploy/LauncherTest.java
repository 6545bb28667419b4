package dev.courier.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** No arguments or {@code run} starts a node; every other verb goes to the CLI. */
class LauncherTest {

  @Test
  void noArgumentsOrRunStartANode() {
    assertTrue(Launcher.startsNode(new String[0]));
    assertTrue(Launcher.startsNode(new String[] {"run"}));
  }

  @Test
  void otherVerbsGoToTheCli() {
    for (String verb : new String[] {"topic", "publish", "tail", "sub", "cluster", "--help",
        "--url", "help", "runner"}) {
      assertFalse(Launcher.startsNode(new String[] {verb, "x"}), verb);
    }
  }
}
