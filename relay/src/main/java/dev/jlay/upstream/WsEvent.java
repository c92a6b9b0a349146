package dev.jlay.upstream;

/** What a {@link MessageReassembler} hands the reading thread: whole messages and connection ends. */
public sealed interface WsEvent {
    record Message(byte[] bytes, long receivedNanos) implements WsEvent {}

    record Oversize(long bytes) implements WsEvent {}

    record Text() implements WsEvent {}

    /** The host sent more pings in a second than {@link MessageReassembler#MAX_PINGS_PER_SECOND}. */
    record PingFlood() implements WsEvent {}

    /** The partial messages of all readers hold the relay-wide budget: this connection lets go and ends. */
    record ReassemblyFull(long heldBytes) implements WsEvent {}

    record Closed(int code, String reason) implements WsEvent {}

    record Failed(Throwable error) implements WsEvent {}
}
