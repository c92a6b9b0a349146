package dev.jlay.atproto.stream;

/** {@code #info}: informational, no seq (e.g. {@code OutdatedCursor}). {@code message} may be null. */
public record InfoMessage(String name, String message) implements RepoMessage {
    public static final String TYPE = "#info";
    public static final String OUTDATED_CURSOR = "OutdatedCursor";

    @Override
    public String type() {
        return TYPE;
    }
}
