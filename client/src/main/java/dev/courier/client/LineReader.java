package dev.courier.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lines of an event stream, ended by CRLF, LF or CR as the SSE format allows, decoded as UTF-8;
 * a line longer than the bound is an error rather than unbounded memory.
 */
final class LineReader {
  private final InputStream in;
  private final int maxLineBytes;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private boolean afterCr;

  LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** The next line without its ending, or null at the end of the stream. */
  String next() throws IOException {
    line.reset();
    while (true) {
      int b = in.read();
      if (b < 0) {
        return line.size() == 0 ? null : text();
      }
      if (afterCr) {
        afterCr = false;
        if (b == '\n') {
          continue;
        }
      }
      if (b == '\n') {
        return text();
      }
      if (b == '\r') {
        afterCr = true;
        return text();
      }
      if (line.size() >= maxLineBytes) {
        throw new IOException("event-stream line longer than " + maxLineBytes + " bytes");
      }
      line.write(b);
    }
  }

  private String text() {
    return line.toString(StandardCharsets.UTF_8);
  }
}
