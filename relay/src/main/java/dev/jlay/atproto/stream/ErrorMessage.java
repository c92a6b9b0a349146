package dev.jlay.atproto.stream;

/** Error frame (header op -1), e.g. {@code FutureCursor}, {@code ConsumerTooSlow}. {@code message} may be null. */
public record ErrorMessage(String error, String message) implements RepoMessage {
    public static final String FUTURE_CURSOR = "FutureCursor";
    public static final String CONSUMER_TOO_SLOW = "ConsumerTooSlow";

    @Override
    public String type() {
        return null;
    }
}
