package dev.jlay.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import one.profiler.AsyncProfiler;

/**
 * On-demand profiles from the bundled async-profiler, one at a time. Each profile is
 * written under the profile directory, which keeps at most {@code keepFiles} files
 * and {@code keepBytes} bytes (oldest deleted first).
 *
 * <p>{@code nativemem} records malloc calls that were not freed by the end of the
 * profile (async-profiler's nofree mode), the view that finds a native leak's call
 * site. It hooks malloc where libraries import it (libjvm included, so FFM arenas,
 * direct buffers and JNI libraries are seen); a raw FFM downcall to libc's own malloc
 * symbol does not pass through an import table and is not seen.
 */
public final class Profiler {
    public enum Event { ALLOC, CPU, WALL, LOCK, NATIVEMEM }

    public enum Format {
        HTML("html"), JFR("jfr"), COLLAPSED("collapsed");

        final String extension;

        Format(String extension) {
            this.extension = extension;
        }

        public String contentType() {
            return switch (this) {
                case HTML -> "text/html; charset=utf-8";
                case JFR -> "application/octet-stream";
                case COLLAPSED -> "text/plain; charset=utf-8";
            };
        }
    }

    public static final class BusyException extends RuntimeException {
        BusyException() {
            super("a profile is already running");
        }
    }

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path directory;
    private final Duration maxDuration;
    private final int keepFiles;
    private final long keepBytes;
    private final AtomicBoolean running = new AtomicBoolean();
    /** Orders and separates profiles taken within one second, which the stamp alone cannot. */
    private long sequence;

    public Profiler(Path directory, Duration maxDuration, int keepFiles, long keepBytes) {
        this.directory = directory;
        this.maxDuration = maxDuration;
        this.keepFiles = keepFiles;
        this.keepBytes = keepBytes;
    }

    public Duration maxDuration() {
        return maxDuration;
    }

    public boolean busy() {
        return running.get();
    }

    public static Event event(String name) {
        return Event.valueOf(name.toUpperCase(Locale.ROOT));
    }

    public static Format format(String name) {
        return Format.valueOf(name.toUpperCase(Locale.ROOT));
    }

    /**
     * Profiles for {@code duration} (capped at the maximum) on the calling thread and
     * returns the file written. Throws {@link BusyException} when one is running.
     */
    public Path profile(Event event, Duration duration, Format format) throws IOException, InterruptedException {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive");
        }
        if (duration.compareTo(maxDuration) > 0) {
            throw new IllegalArgumentException("duration exceeds the maximum of " + maxDuration.toSeconds() + " s");
        }
        if (!running.compareAndSet(false, true)) {
            throw new BusyException();
        }
        try {
            Files.createDirectories(directory);
            Exception[] failure = new Exception[1];
            Path out = freshName(event, format);
            // async-profiler must be driven from a platform thread: from a virtual thread
            // (every Helidon handler) it cannot find its VM thread bridge.
            Thread worker = Thread.ofPlatform().name("jlay-profiler").daemon().unstarted(() -> {
                AsyncProfiler profiler = AsyncProfiler.getInstance();
                try {
                    profiler.execute("start," + eventOption(event) + ",file=" + out);
                    try {
                        Thread.sleep(duration);
                    } finally {
                        profiler.execute("stop,file=" + out + "," + formatOption(format));
                    }
                } catch (IOException | InterruptedException e) {
                    failure[0] = e;
                } catch (RuntimeException e) {
                    failure[0] = e;
                }
            });
            worker.start();
            worker.join();
            if (failure[0] instanceof IOException io) {
                throw io;
            } else if (failure[0] instanceof InterruptedException ie) {
                throw ie;
            } else if (failure[0] instanceof RuntimeException re) {
                throw re;
            }
            prune();
            return out;
        } finally {
            running.set(false);
        }
    }

    /**
     * profile-{second}-{sequence}-{event}.{ext}: the sequence number separates profiles in one
     * second, and skipping names already present covers a restart within that second. Only
     * one profile runs at a time, so no other caller takes the name before async-profiler writes it.
     */
    private Path freshName(Event event, Format format) {
        String stamp = STAMP.format(Instant.now());
        while (true) {
            Path candidate = directory.resolve("profile-%s-%06d-%s.%s".formatted(
                    stamp, sequence++, event.name().toLowerCase(Locale.ROOT), format.extension));
            if (Files.notExists(candidate)) {
                return candidate;
            }
        }
    }

    private static String eventOption(Event event) {
        return switch (event) {
            case ALLOC -> "event=alloc";
            case CPU -> "event=cpu";
            case WALL -> "event=wall";
            case LOCK -> "event=lock";
            // Every allocation, keeping only those not freed when the profile stops.
            case NATIVEMEM -> "nativemem=0,nofree";
        };
    }

    private static String formatOption(Format format) {
        return switch (format) {
            case HTML -> "flamegraph";
            case JFR -> "jfr";
            case COLLAPSED -> "collapsed";
        };
    }

    /** Profiles kept under the directory, newest first. */
    public List<Path> kept() throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().startsWith("profile-"))
                    // mtime ticks coarsely; the name (second, then sequence) breaks ties
                    .sorted(Comparator.comparing(Profiler::modified)
                            .thenComparing(p -> p.getFileName().toString()).reversed()).toList();
        }
    }

    private void prune() throws IOException {
        long total = 0;
        int count = 0;
        for (Path p : kept()) {
            count++;
            total += Files.size(p);
            if (count > keepFiles || total > keepBytes) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }
}
