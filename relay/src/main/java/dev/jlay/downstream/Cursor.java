package dev.jlay.downstream;

import java.util.OptionalLong;

/** The {@code cursor} query parameter of subscribeRepos: absent, or a non-negative integer below 2^53. */
public final class Cursor {
    private static final long MAX = (1L << 53) - 1;

    private Cursor() {
    }

    /** Thrown for a cursor that is present but not a valid integer. */
    public static final class InvalidCursorException extends Exception {
        public InvalidCursorException(String message) {
            super(message);
        }
    }

    public static OptionalLong parse(String raw) throws InvalidCursorException {
        if (raw == null || raw.isEmpty()) {
            return OptionalLong.empty();
        }
        if (raw.length() > 16 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidCursorException("cursor must be a non-negative integer");
        }
        long v = Long.parseLong(raw);
        if (v > MAX) {
            throw new InvalidCursorException("cursor must be below 2^53");
        }
        return OptionalLong.of(v);
    }
}
