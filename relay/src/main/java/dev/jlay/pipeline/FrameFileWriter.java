package dev.jlay.pipeline;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes the {@link FrameFile} format to a file. Each {@link #append} writes a whole
 * record or throws; {@link #close} flushes and fsyncs, so a file closed through here
 * (also from a shutdown hook, which is why the methods are synchronized) ends on a
 * record boundary.
 */
public final class FrameFileWriter implements AutoCloseable {
    private final FileChannel channel;
    private final BufferedOutputStream out;
    private long frames;
    private long bytes;
    private boolean closed;

    public FrameFileWriter(Path file) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
    }

    public synchronized void append(byte[] frame) throws IOException {
        if (closed) {
            throw new IOException("frame file already closed");
        }
        if (frame.length > FrameFile.MAX_RECORD) {
            throw new IOException("frame of " + frame.length + " bytes exceeds the format's limit");
        }
        FrameFile.write(out, frame);
        frames++;
        bytes += 4L + frame.length;
    }

    /** Records written so far. */
    public synchronized long frames() {
        return frames;
    }

    /** Bytes written so far, length prefixes included. */
    public synchronized long bytes() {
        return bytes;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.flush();
            channel.force(true);
        } finally {
            channel.close();
        }
    }
}
