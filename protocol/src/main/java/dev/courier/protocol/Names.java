package dev.courier.protocol;

import java.util.regex.Pattern;

/** The one rule for topic and subscription names, shared by the edge and the entities. */
public final class Names {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  private Names() {}

  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }
}
