package dev.jlay.memory;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated so far by the current thread. Exact on platform threads;
 * the JVM does not track virtual threads this way and answers -1 there.
 */
public final class ThreadAllocation {
    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private ThreadAllocation() {
    }

    /** Allocated bytes of the current thread, or -1 when unknown (virtual thread, unsupported JVM). */
    public static long currentThreadBytes() {
        if (THREADS == null || Thread.currentThread().isVirtual()) {
            return -1;
        }
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Heap bytes allocated by every thread since the JVM started, or -1 when unknown. Virtual
     * threads are included: their allocation is counted on the carrier thread they ran on.
     */
    public static long totalBytes() {
        return THREADS == null ? -1 : THREADS.getTotalThreadAllocatedBytes();
    }

    /** Heap bytes allocated so far by the given platform thread, or -1 (ended, virtual, unsupported). */
    public static long threadBytes(Thread thread) {
        if (THREADS == null || thread.isVirtual()) {
            return -1;
        }
        return THREADS.getThreadAllocatedBytes(thread.threadId());
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported()) {
            if (!bean.isThreadAllocatedMemoryEnabled()) {
                bean.setThreadAllocatedMemoryEnabled(true);
            }
            return bean;
        }
        return null;
    }
}
