package dev.jlay.downstream;

import dev.jlay.atproto.stream.ErrorMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.InfoMessage;

/** The non-event frames the relay sends, encoded once. */
final class ControlFrames {
    static final byte[] FUTURE_CURSOR = FirehoseCodec.encode(
            new ErrorMessage(ErrorMessage.FUTURE_CURSOR, "Cursor in the future."));
    static final byte[] CONSUMER_TOO_SLOW = FirehoseCodec.encode(
            new ErrorMessage(ErrorMessage.CONSUMER_TOO_SLOW, "Consumer could not keep up with the stream."));
    static final byte[] OUTDATED_CURSOR = FirehoseCodec.encode(
            new InfoMessage(InfoMessage.OUTDATED_CURSOR, "Requested cursor exceeded limit. Possibly missing events"));

    private ControlFrames() {
    }
}
