package dev.courier.node;

import com.typesafe.config.Config;

/**
 * Checks at start-up that every message Courier sends between nodes fits the Artery frame it
 * travels in: Artery drops an oversized message and only logs it, which would lose deliveries and
 * time publishes out. Batches must fit an ordinary frame; one message of the largest size the edge
 * accepts, after a long poll's batch, must fit a large-message frame (courier-node.conf says which
 * messages take that channel).
 */
public final class RemoteFrames {
  /** Room for what Artery and the serializer add around a batch: envelope, paths, manifest. */
  static final long ENVELOPE = 16 * 1024;

  private RemoteFrames() {}

  /**
   * @throws IllegalStateException naming the settings to change when something would not fit
   */
  public static void check(Config config) {
    long batch = bytes(config, "courier.node.max-remote-batch-bytes");
    long frame = bytes(config, "pekko.remote.artery.advanced.maximum-frame-size");
    long large = bytes(config, "pekko.remote.artery.advanced.maximum-large-frame-size");
    long message = bytes(config, "courier.http.limits.max-message-size");
    if (batch + ENVELOPE > frame) {
      throw new IllegalStateException(
          "courier.node.max-remote-batch-bytes (" + batch + ") plus " + ENVELOPE
              + " bytes of envelope exceeds pekko.remote.artery.advanced.maximum-frame-size ("
              + frame + "): lower the batch bytes");
    }
    // A dead letter is its message plus a longer id and a few attributes: within the envelope.
    if (message + batch + 2 * ENVELOPE > large) {
      throw new IllegalStateException(
          "courier.http.limits.max-message-size (" + message + ") plus a batch of"
              + " courier.node.max-remote-batch-bytes (" + batch + ") and " + 2 * ENVELOPE
              + " bytes of envelope exceeds"
              + " pekko.remote.artery.advanced.maximum-large-frame-size (" + large + "): raise"
              + " that frame (each of large-buffer-pool-size buffers takes its size) or lower the"
              + " message size");
    }
  }

  private static long bytes(Config config, String path) {
    return config.getMemorySize(path).toBytes();
  }
}
