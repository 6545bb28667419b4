package dev.courier.node.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of integration tests whose tests share one node (started once per class). */
abstract class OneNodeIT {
  static TestNode node;
  static String url;

  @BeforeAll
  static void startNode() {
    node = TestNode.start();
    url = node.url();
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }
}
