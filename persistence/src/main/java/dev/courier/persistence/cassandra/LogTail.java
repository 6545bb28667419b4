package dev.courier.persistence.cassandra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Reads the last lines of a log file so a failure message shows the cause instead of a path. */
final class LogTail {

  private static final int MAX_BYTES = 64 * 1024;

  private LogTail() {}

  /** Size of the file now (0 if absent): pass it to {@link #since} to see only what comes after. */
  static long sizeOf(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0L;
    } catch (IOException e) {
      return 0L;
    }
  }

  /** The last {@code lines} lines written to {@code file} after byte {@code offset}, as one indented block. */
  static String since(Path file, long offset, int lines) {
    if (!Files.exists(file)) {
      return "    (" + file + " does not exist)";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      long from = Math.max(Math.min(offset, length), length - MAX_BYTES);
      byte[] bytes = new byte[Math.toIntExact(length - from)];
      raf.seek(from);
      raf.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
      List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
      if (last.isEmpty() || (last.size() == 1 && last.get(0).isBlank())) {
        return "    (" + file + " has nothing new)";
      }
      return "    " + String.join(System.lineSeparator() + "    ", last);
    } catch (IOException e) {
      return "    (cannot read " + file + ": " + e + ")";
    }
  }
}
