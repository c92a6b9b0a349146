package dev.jlay.atproto.stream;

/** {@code #identity}: the DID document or handle may have changed. {@code handle} may be null. */
public record IdentityMessage(long seq, String did, String time, String handle) implements SequencedMessage {
    public static final String TYPE = "#identity";

    @Override
    public String type() {
        return TYPE;
    }
}
