package dev.jlay.atproto.stream;

/** {@code #sync}: the repo's current commit (a CAR holding only the commit block). */
public record SyncMessage(long seq, String did, byte[] blocks, String rev, String time)
        implements SequencedMessage {
    public static final String TYPE = "#sync";

    @Override
    public String type() {
        return TYPE;
    }
}
