package dev.jlay.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for a drill ({@code mount -t tmpfs -o size=N}, so root only), with a
 * filler file that takes its space and gives it back. Closing unmounts it (lazily if busy).
 */
public final class TmpfsMount implements AutoCloseable {
    private final Path dir;
    private final Path filler;

    private TmpfsMount(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve("filler");
    }

    /** Why a drill cannot mount here, or null when it can. */
    public static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) return "mounting a tmpfs needs root; running as "
                + System.getProperty("user.name");
        if (!Files.isExecutable(Path.of("/bin/mount")) && !Files.isExecutable(Path.of("/usr/bin/mount"))) {
            return "no mount command";
        }
        return null;
    }

    public static TmpfsMount mount(Path dir, long megabytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString());
        return new TmpfsMount(dir);
    }

    public Path dir() {
        return dir;
    }

    public long usableBytes() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /** Grows the filler until only {@code leaveBytes} stay free (or the disk is full). */
    public void fillLeaving(long leaveBytes) throws IOException {
        var chunk = ByteBuffer.allocate(1 << 20);
        try (var ch = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            long left;
            while ((left = usableBytes() - leaveBytes) > 0) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), left));
                try {
                    while (chunk.hasRemaining()) ch.write(chunk);
                } catch (IOException full) {
                    return; // someone else took the last bytes: full is what we wanted
                }
            }
        }
    }

    public long fillerBytes() throws IOException {
        return Files.exists(filler) ? Files.size(filler) : 0;
    }

    /** Gives the filler's space back. */
    public void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run("umount", dir.toString());
        } catch (IOException busy) {
            run("umount", "-l", dir.toString());
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        var p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: "
                    + new String(p.getInputStream().readAllBytes()).strip());
        }
    }
}
