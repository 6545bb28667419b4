package dev.courier.protocol;

/** Marker for every message that crosses nodes or is persisted: bound to Jackson CBOR in reference.conf. */
public interface CborSerializable {}
