package dev.courier.system;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A consumer that reads one subscription from one node until its connection ends, then connects
 * again to the next node, until stopped: the client behaviour the failover guarantees are about.
 */
abstract class ReconnectingReader implements Runnable {
  private final IntFunction<String> nodeUrl;
  private final int nodes;
  protected final String subscription;
  protected final Tally tally;
  private final AtomicBoolean running = new AtomicBoolean(true);
  final AtomicInteger reconnects = new AtomicInteger();
  private volatile int node;
  private volatile long connectedAtNanos;

  ReconnectingReader(
      IntFunction<String> nodeUrl, int nodes, int firstNode, String subscription, Tally tally) {
    this.nodeUrl = nodeUrl;
    this.nodes = nodes;
    this.node = firstNode;
    this.subscription = subscription;
    this.tally = tally;
  }

  /** Connects to the node at {@code baseUrl} and reads until the connection ends. */
  protected abstract void readUntilClosed(String baseUrl) throws Exception;

  /** Closes the open connection, if any. */
  protected abstract void close();

  protected boolean running() {
    return running.get();
  }

  @Override
  public final void run() {
    while (running.get()) {
      try {
        connectedAtNanos = System.nanoTime();
        readUntilClosed(nodeUrl.apply(node));
      } catch (Exception e) {
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
      }
      if (running.get()) {
        reconnects.incrementAndGet();
        node = node % nodes + 1;
        backOffAfterAShortConnection();
      }
    }
  }

  /**
   * A connection that ended within a second is followed by a tenth of a second's pause, as real
   * clients back off (an EventSource waits its retry interval): no node is hammered with
   * thousands of connects a second while every node is down or refusing.
   */
  private void backOffAfterAShortConnection() {
    if (System.nanoTime() - connectedAtNanos < java.util.concurrent.TimeUnit.SECONDS.toNanos(1)) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.set(false);
      }
    }
  }

  /** Where it reads now and since when: what a failure report needs to tell a hung client. */
  final String describe() {
    return "reading from node " + node + " for "
        + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectedAtNanos)
        + " ms after " + reconnects.get() + " reconnects";
  }

  final void stop() {
    running.set(false);
    close();
  }
}
