package dev.jlay.atproto.cbor;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of the DAG-CBOR decoder. Contract: any bytes either decode or
 * throw {@link CborException}; what decodes is canonical, so encoding it gives back the input;
 * and what a decode allocates is bounded by the input's size, not by lengths the input declares
 * (a few bytes must not buy megabytes). Without JAZZER_FUZZ this replays
 * DagCborGuidedFuzzTestInputs/ (seeds and past findings).
 */
@Tag("fuzz")
class DagCborGuidedFuzzTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Generous: a decoded value costs some tens of bytes per input byte; Jackson's buffers are recycled. */
    static final long BYTES_PER_INPUT_BYTE = 256;
    static final long BYTES_FIXED = 256 * 1024;

    @FuzzTest(maxDuration = "60s")
    void decode(byte[] input) {
        Object value;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            value = DagCbor.decode(input);
        } catch (CborException e) {
            value = e;
        }
        long limit = BYTES_FIXED + BYTES_PER_INPUT_BYTE * input.length;
        if (THREADS.getCurrentThreadAllocatedBytes() - before > limit) {
            // the first decode down a path also pays for class loading and instrumentation: measure again
            assertThat(allocatedDecoding(input)).as("bytes allocated decoding %d input bytes", input.length)
                    .isLessThanOrEqualTo(limit);
        }
        if (!(value instanceof CborException)) {
            assertThat(DagCbor.encode(value)).isEqualTo(input);
        }
    }

    static long allocatedDecoding(byte[] input) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            DagCbor.decode(input);
        } catch (CborException e) {
            // declared
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
