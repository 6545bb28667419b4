package dev.courier.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Collections;
import java.util.List;

/**
 * Everything an aggregation remembers between messages, as a plain immutable value (records, lists,
 * maps, numbers, strings) so a subscription can persist it in its events or snapshots and resume
 * with the same results after a failover or replay.
 *
 * @param partitionMaxMillis the latest publishTime seen per partition; {@link Long#MIN_VALUE} for
 *     a partition that has delivered nothing yet
 * @param closedThroughMillis every window ending at or before this instant is closed; a message
 *     that falls only in closed windows is late
 * @param windows the open windows, ordered by end then start
 * @param late messages that arrived after (one of) their window(s) closed, ever
 * @param overLimit messages not aggregated because their window already held the maximum number
 *     of groups, ever
 */
public record WindowState(
    List<Long> partitionMaxMillis,
    long closedThroughMillis,
    List<OpenWindow> windows,
    long late,
    long overLimit) {

  public WindowState {
    partitionMaxMillis = Collections.unmodifiableList(partitionMaxMillis);
    windows = Collections.unmodifiableList(windows);
  }

  /** This state as JSON, for a subscription to persist (read back by {@link #fromJson}). */
  public String toJson() {
    try {
      return MessageView.MAPPER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("window state does not serialise", e);
    }
  }

  /** The state {@link #toJson} wrote. */
  public static WindowState fromJson(String json) {
    try {
      return MessageView.MAPPER.readValue(json, WindowState.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a window state: " + e.getOriginalMessage(), e);
    }
  }

  /** The low watermark: the earliest of the partitions' latest publishTimes; none until each has one. */
  long watermarkMillis() {
    long min = Long.MAX_VALUE;
    for (long t : partitionMaxMillis) {
      min = Math.min(min, t);
    }
    return partitionMaxMillis.isEmpty() ? Long.MIN_VALUE : min;
  }
}
