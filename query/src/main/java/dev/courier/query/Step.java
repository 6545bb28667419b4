package dev.courier.query;

import java.util.List;

/**
 * What one input did to an aggregation: the state to keep, the rows of the windows it closed (in
 * window order, then group order), and how many messages it counted as late or over the group
 * limit.
 */
public record Step(WindowState state, List<ResultRow> rows, long late, long overLimit) {

  public Step {
    rows = List.copyOf(rows);
  }
}
