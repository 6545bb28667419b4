package dev.courier.deploy;

import dev.courier.cli.CourierCli;
import dev.courier.node.Main;
import java.util.Arrays;

/**
 * The entry point of {@code courier.jar}: no arguments or {@code run} starts a node, as it always
 * did; any other verb ({@code topic}, {@code publish}, {@code tail}, {@code sub}, {@code cluster},
 * {@code --help}) is the command-line client.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) {
    if (startsNode(args)) {
      Main.main(args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length));
    } else {
      CourierCli.main(args);
    }
  }

  static boolean startsNode(String[] args) {
    return args.length == 0 || args[0].equals("run");
  }
}
