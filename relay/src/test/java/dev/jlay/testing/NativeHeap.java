package dev.jlay.testing;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** libc's malloc and free through FFM, for tests that put bytes where glibc (not the JVM) owns them. */
public final class NativeHeap {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().find("malloc").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));

    private NativeHeap() {
    }

    /** malloc(bytes), every byte written once so the pages are resident. */
    public static MemorySegment mallocTouched(long bytes) throws Throwable {
        var p = (MemorySegment) MALLOC.invokeExact(bytes);
        p.reinterpret(bytes).fill((byte) 1);
        return p;
    }

    public static void free(MemorySegment p) throws Throwable {
        FREE.invokeExact(p);
    }
}
