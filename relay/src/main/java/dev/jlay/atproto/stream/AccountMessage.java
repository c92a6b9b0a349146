package dev.jlay.atproto.stream;

/** {@code #account}: hosting status at the emitting host. {@code status} may be null. */
public record AccountMessage(long seq, String did, String time, boolean active, String status)
        implements SequencedMessage {
    public static final String TYPE = "#account";

    @Override
    public String type() {
        return TYPE;
    }
}
