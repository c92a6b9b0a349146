package dev.jlay.validate;

import dev.jlay.atproto.crypto.BouncyCastleVerifier;
import dev.jlay.atproto.crypto.SignatureVerifier;
import java.time.Duration;

/**
 * Sync v1.1 limits, the strictness switch and the signature verifier.
 *
 * @param lenient pass what the reference relay only logs: commits whose MST
 *        inversion fails or that carry no prevData (legacy producers)
 * @param signatures how commit signatures are checked: BouncyCastle unless the
 *        composition root chose a faster implementation at start
 */
public record ValidationConfig(boolean lenient, int maxFrameBytes, int maxCommitBlocksBytes, int maxSyncBlocksBytes,
                               int maxOps, Duration futureRevAllowance, SignatureVerifier signatures) {

    public static final ValidationConfig STRICT = new ValidationConfig(false, 5_000_000, 2_000_000, 10_000, 200,
            Duration.ofMinutes(5), BouncyCastleVerifier.INSTANCE);

    public static ValidationConfig strict() {
        return STRICT;
    }

    public ValidationConfig withLenient(boolean l) {
        return new ValidationConfig(l, maxFrameBytes, maxCommitBlocksBytes, maxSyncBlocksBytes, maxOps,
                futureRevAllowance, signatures);
    }

    public ValidationConfig withSignatures(SignatureVerifier verifier) {
        return new ValidationConfig(lenient, maxFrameBytes, maxCommitBlocksBytes, maxSyncBlocksBytes, maxOps,
                futureRevAllowance, verifier);
    }
}
