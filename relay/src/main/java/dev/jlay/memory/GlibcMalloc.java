package dev.jlay.memory;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * glibc's allocator statistics and trimming, through the Foreign Function API.
 * malloc_info is used rather than mallinfo because mallinfo (and malloc_stats' totals
 * on older glibc) only describe the main arena; malloc_info reports every arena.
 */
public final class GlibcMalloc {
    private final MethodHandle openMemstream;
    private final MethodHandle mallocInfo;
    private final MethodHandle fclose;
    private final MethodHandle free;
    private final MethodHandle mallocTrim;

    private GlibcMalloc(Linker linker, java.lang.foreign.SymbolLookup libc) {
        openMemstream = linker.downcallHandle(libc.find("open_memstream").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        mallocInfo = linker.downcallHandle(libc.find("malloc_info").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        fclose = linker.downcallHandle(libc.find("fclose").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        free = linker.downcallHandle(libc.find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS));
        mallocTrim = linker.downcallHandle(libc.find("malloc_trim").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    }

    /** Empty where the C library is not glibc (musl has no malloc_info). */
    public static Optional<GlibcMalloc> load() {
        try {
            Linker linker = Linker.nativeLinker();
            return Optional.of(new GlibcMalloc(linker, linker.defaultLookup()));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** malloc_info(0, ...) written into an in-memory stream, parsed. */
    public MallocStats stats() {
        return MallocStats.parse(infoXml());
    }

    public String infoXml() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bufPtr = arena.allocate(ADDRESS);
            MemorySegment sizePtr = arena.allocate(JAVA_LONG);
            MemorySegment stream = (MemorySegment) openMemstream.invokeExact(bufPtr, sizePtr);
            if (stream.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("open_memstream failed");
            }
            int rc = (int) mallocInfo.invokeExact(0, stream);
            int closed = (int) fclose.invokeExact(stream);
            MemorySegment buf = bufPtr.get(ADDRESS, 0);
            long size = sizePtr.get(JAVA_LONG, 0);
            try {
                if (rc != 0 || closed != 0) {
                    throw new IllegalStateException("malloc_info failed");
                }
                byte[] bytes = buf.reinterpret(size).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                return new String(bytes, StandardCharsets.US_ASCII);
            } finally {
                free.invokeExact(buf);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * malloc_trim(0): returns free memory at the top of every arena and, since glibc
     * 2.8, whole free pages inside them. Reports RSS before and after.
     */
    public TrimResult trim() {
        long before = ProcessMemory.read().rss();
        MallocStats statsBefore = stats();
        int released;
        try {
            released = (int) mallocTrim.invokeExact(0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        long after = ProcessMemory.read().rss();
        MallocStats statsAfter = stats();
        return new TrimResult(released != 0, before, after, statsBefore.freeBytes(), statsAfter.freeBytes());
    }

    public record TrimResult(boolean released, long rssBefore, long rssAfter,
                             long mallocFreeBefore, long mallocFreeAfter) {
        public long rssReturned() {
            return Math.max(0, rssBefore - rssAfter);
        }
    }
}
