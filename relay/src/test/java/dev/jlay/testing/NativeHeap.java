package dev.jlay.testing;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * libc's malloc and free through FFM, for tests that put bytes where glibc (not the JVM) owns
 * them; and mmap and munmap, for anonymous memory that neither the JVM nor malloc owns.
 */
public final class NativeHeap {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().find("malloc").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle MMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("mmap").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("munmap").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    // Linux x86-64 and aarch64 values
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final long MAP_FAILED = -1L;

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

    /** mmap(NULL, bytes, rw, MAP_PRIVATE|MAP_ANONYMOUS), every page written so it is resident. */
    public static MemorySegment mmapTouched(long bytes) throws Throwable {
        var p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
        if (p.address() == MAP_FAILED) {
            throw new IllegalStateException("mmap of " + bytes + " bytes failed");
        }
        MemorySegment region = p.reinterpret(bytes);
        for (long page = 0; page < bytes; page += 4096) {
            region.set(java.lang.foreign.ValueLayout.JAVA_BYTE, page, (byte) 1);
        }
        return region;
    }

    public static void munmap(MemorySegment region) throws Throwable {
        if ((int) MUNMAP.invokeExact(region, region.byteSize()) != 0) {
            throw new IllegalStateException("munmap failed");
        }
    }
}
