package dev.courier.persistence;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** Reads every page of an asynchronous result without blocking a thread. */
final class Rows {
  private Rows() {}

  static <T> CompletionStage<List<T>> all(
      CompletionStage<AsyncResultSet> first, Function<Row, T> mapper) {
    return first.thenCompose(rs -> collect(rs, mapper, new ArrayList<>()));
  }

  private static <T> CompletionStage<List<T>> collect(
      AsyncResultSet rs, Function<Row, T> mapper, List<T> into) {
    for (Row row : rs.currentPage()) {
      into.add(mapper.apply(row));
    }
    if (rs.hasMorePages()) {
      return rs.fetchNextPage().thenCompose(next -> collect(next, mapper, into));
    }
    return java.util.concurrent.CompletableFuture.completedFuture(into);
  }
}
