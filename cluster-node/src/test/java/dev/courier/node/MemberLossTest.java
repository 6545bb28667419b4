package dev.courier.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link MemberLoss}: when an ask is sent again, which answer wins, and what is given back. */
class MemberLossTest {
  private final List<Runnable> scheduled = new ArrayList<>();
  private final MemberLoss loss = MemberLoss.manual((delay, task) -> scheduled.add(task));
  private final CompletableFuture<String> first = new CompletableFuture<>();
  private final CompletableFuture<String> second = new CompletableFuture<>();
  private final AtomicInteger retries = new AtomicInteger();
  private final List<String> givenBack = new ArrayList<>();

  private CompletableFuture<String> ask() {
    return loss.ask(() -> first, () -> {
      retries.incrementAndGet();
      return second;
    }, givenBack::add).toCompletableFuture();
  }

  @Test
  void anAnswerBeforeAnyMemberLossIsTheAnswerAndNothingIsSentAgain() {
    var result = ask();
    first.complete("a");
    loss.memberRemoved();
    assertEquals("a", result.join());
    assertEquals(0, retries.get());
    assertEquals(List.of(), givenBack);
  }

  @Test
  void aMemberLossSendsOnceMoreAndTheLateFirstAnswerIsGivenBack() {
    var result = ask();
    loss.memberRemoved();
    loss.memberRemoved();
    assertEquals(1, retries.get(), "sent again at once, once, however many members go");
    assertEquals(MemberLoss.RETRY_DELAYS.size() - 1, scheduled.size());
    second.complete("b");
    assertEquals("b", result.join());
    first.complete("a");
    assertEquals(List.of("a"), givenBack);
  }

  @Test
  void anAskStillUnansweredIsSentAgainLaterAndTheLosersAreGivenBack() {
    // The copy sent at the removal may have gone the way of the first (the local region still
    // routed to the dead node): the later sends are what reach the entity's new home.
    CompletableFuture<String> third = new CompletableFuture<>();
    List<CompletableFuture<String>> answers = new ArrayList<>(List.of(second, third));
    var result = loss.ask(() -> first, () -> answers.get(retries.getAndIncrement()),
        givenBack::add).toCompletableFuture();
    loss.memberRemoved();
    scheduled.get(0).run();
    assertEquals(2, retries.get());
    third.complete("c");
    assertEquals("c", result.join());
    scheduled.get(1).run();
    assertEquals(2, retries.get(), "nothing is sent once there is an answer");
    second.complete("b");
    first.complete("a");
    assertEquals(List.of("b", "a"), givenBack);
  }

  @Test
  void theFirstFailingAfterAMemberLossLeavesTheDecisionToTheRetry() {
    var result = ask();
    loss.memberRemoved();
    first.completeExceptionally(new RuntimeException("timed out"));
    assertFalse(result.isDone());
    second.complete("b");
    assertEquals("b", result.join());
  }

  @Test
  void itFailsOnlyWhenEveryAttemptFailed() {
    var result = ask();
    loss.memberRemoved();
    second.completeExceptionally(new RuntimeException("timed out"));
    assertFalse(result.isDone());
    first.completeExceptionally(new RuntimeException("timed out"));
    assertTrue(result.isCompletedExceptionally());
  }

  @Test
  void answeredAsksAreForgottenSoNothingGrowsBetweenRemovals() {
    for (int i = 0; i < 10_000; i++) {
      loss.ask(() -> CompletableFuture.completedFuture("a"), () -> second, givenBack::add);
    }
    var open = ask();
    assertEquals(1, loss.unanswered(), "only the ask still waiting is held");
    first.complete("a");
    assertEquals("a", open.join());
    assertEquals(0, loss.unanswered());
  }

  @Test
  void withoutAMemberLossAFailureIsTheAnswer() {
    var result = ask();
    first.completeExceptionally(new RuntimeException("timed out"));
    assertTrue(result.isCompletedExceptionally());
    loss.memberRemoved();
    assertEquals(0, retries.get());
  }
}
