package dev.jlay.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The recording format of {@code capture} and the corpus: each frame is a
 * 4-byte big-endian length followed by the exact WebSocket message bytes.
 * A last record cut short is returned as it is (verify then flags it as
 * malformed) rather than silently dropped.
 */
public final class FrameFile {
    /** Larger than any legal frame (5 MB) with room; a length beyond it means a corrupt file. */
    public static final int MAX_RECORD = 16 << 20;

    private FrameFile() {}

    public static List<byte[]> read(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    public static List<byte[]> parse(byte[] all) throws IOException {
        var out = new ArrayList<byte[]>();
        var buf = ByteBuffer.wrap(all);
        while (buf.hasRemaining()) {
            if (buf.remaining() < 4) {
                throw new IOException("trailing " + buf.remaining() + " bytes: not a length prefix");
            }
            int len = buf.getInt();
            if (len < 0 || len > MAX_RECORD) {
                throw new IOException("record " + out.size() + " has impossible length " + len);
            }
            int take = Math.min(len, buf.remaining());
            var frame = new byte[take];
            buf.get(frame);
            out.add(frame);
        }
        return out;
    }

    /** One record: the length prefix and the frame. Does not flush: the caller owns the stream. */
    public static void write(OutputStream out, byte[] frame) throws IOException {
        out.write(new byte[]{(byte) (frame.length >>> 24), (byte) (frame.length >>> 16),
                (byte) (frame.length >>> 8), (byte) frame.length});
        out.write(frame);
    }

    public static byte[] encode(List<byte[]> frames) {
        var out = new ByteArrayOutputStream();
        try {
            for (var f : frames) write(out, f);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
