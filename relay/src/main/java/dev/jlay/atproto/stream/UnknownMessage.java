package dev.jlay.atproto.stream;

/** A frame with an unknown {@code op} or {@code t}: receivers skip it (its CBOR was still valid). */
public record UnknownMessage(int op, String type) implements RepoMessage {}
