package dev.jlay.upstream;

/** What a {@link MessageReassembler} hands the reading thread: whole messages and connection ends. */
public sealed interface WsEvent {
    record Message(byte[] bytes, long receivedNanos) implements WsEvent {}

    record Oversize(long bytes) implements WsEvent {}

    record Text() implements WsEvent {}

    record Closed(int code, String reason) implements WsEvent {}

    record Failed(Throwable error) implements WsEvent {}
}
