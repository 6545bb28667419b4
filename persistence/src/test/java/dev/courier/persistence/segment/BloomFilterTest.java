package dev.courier.persistence.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BloomFilterTest {

  @Test
  void holdsEverythingAddedAndAboutTheAskedFalsePositives() {
    BloomFilter filter = BloomFilter.create(10_000, 0.01);
    for (int i = 0; i < 10_000; i++) {
      filter.add(IdHash.of("id-" + i, "k"));
    }
    for (int i = 0; i < 10_000; i++) {
      assertTrue(filter.mightContain(IdHash.of("id-" + i, "k")));
    }
    int positives = 0;
    for (int i = 0; i < 100_000; i++) {
      if (filter.mightContain(IdHash.of("other-" + i, "k"))) {
        positives++;
      }
    }
    assertTrue(positives < 2_000, "false positives: " + positives + " of 100000 at fpp 0.01");
  }

  @Test
  void storedFormReadsBackTheSameFilter() {
    BloomFilter filter = BloomFilter.create(500, 0.001);
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 500; i++) {
      filter.add(random.nextLong());
    }
    BloomFilter back = BloomFilter.fromBytes(ByteBuffer.wrap(filter.toBytes()));
    random = new SplittableRandom(99);
    for (int i = 0; i < 20_000; i++) {
      long h = random.nextLong();
      assertEquals(filter.mightContain(h), back.mightContain(h));
    }
  }

  @Test
  void anIdWithAnotherKeyOrNoKeyHashesApart() {
    long none = IdHash.of("o-1", null);
    long empty = IdHash.of("o-1", "");
    long k = IdHash.of("o-1", "k");
    assertTrue(none != empty && empty != k && none != k);
    assertTrue(IdHash.of("ab", "c") != IdHash.of("a", "bc"));
    assertEquals(k, IdHash.of(new String("o-1"), new String("k")));
  }
}
