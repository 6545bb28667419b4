package dev.courier.client;

/** Where a published message was stored; {@code duplicate} when its id was already there. */
public record PublishResult(
    String id, int partition, long offset, String publishTime, boolean duplicate) {}
