package dev.courier.protocol.topic;

import dev.courier.protocol.CborSerializable;

/** The next offset a partition will assign (so {@code nextOffset} messages were ever appended). */
public record PartitionHead(int partition, long nextOffset) implements CborSerializable {}
