package dev.jlay.memory;

/**
 * The per-thread heap allocation counter the stage meters read: {@link ThreadAllocation} in the
 * relay; a counting stand-in in tests that check a disabled meter reads nothing.
 */
@FunctionalInterface
public interface AllocationCounter {
    /** Bytes the current thread has allocated so far, or -1 when unknown (virtual thread). */
    long currentThreadBytes();
}
