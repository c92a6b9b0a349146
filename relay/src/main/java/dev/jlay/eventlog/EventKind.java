package dev.jlay.eventlog;

/** The message type of a logged event, stored as one byte so replay can filter without decoding. */
public enum EventKind {
    COMMIT(1), SYNC(2), IDENTITY(3), ACCOUNT(4), OTHER(127);

    private final byte code;

    EventKind(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    public static EventKind of(byte code) {
        return switch (code) {
            case 1 -> COMMIT;
            case 2 -> SYNC;
            case 3 -> IDENTITY;
            case 4 -> ACCOUNT;
            default -> OTHER;
        };
    }

    /** From the frame header's {@code t} ({@code "#commit"} etc.). */
    public static EventKind ofType(String t) {
        return switch (t) {
            case "#commit" -> COMMIT;
            case "#sync" -> SYNC;
            case "#identity" -> IDENTITY;
            case "#account" -> ACCOUNT;
            default -> OTHER;
        };
    }
}
