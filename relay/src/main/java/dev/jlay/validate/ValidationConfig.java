package dev.jlay.validate;

import java.time.Duration;

/**
 * Sync v1.1 limits and the strictness switch.
 *
 * @param lenient pass what the reference relay only logs: commits whose MST
 *        inversion fails or that carry no prevData (legacy producers)
 */
public record ValidationConfig(boolean lenient, int maxFrameBytes, int maxCommitBlocksBytes, int maxSyncBlocksBytes,
                               int maxOps, Duration futureRevAllowance) {

    public static final ValidationConfig STRICT =
            new ValidationConfig(false, 5_000_000, 2_000_000, 10_000, 200, Duration.ofMinutes(5));

    public static ValidationConfig strict() {
        return STRICT;
    }

    public ValidationConfig withLenient(boolean l) {
        return new ValidationConfig(l, maxFrameBytes, maxCommitBlocksBytes, maxSyncBlocksBytes, maxOps, futureRevAllowance);
    }
}
