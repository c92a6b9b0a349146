package dev.jlay.upstream;

import dev.jlay.testing.SharedFixtures;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The recorded firehose frames of ../shared/corpus (4-byte big-endian length + frame bytes). */
final class RawCorpusFrames {
    private RawCorpusFrames() {}

    static List<byte[]> load(String file) {
        var frames = new ArrayList<byte[]>();
        try (InputStream in = Files.newInputStream(SharedFixtures.corpusDir().resolve(file));
             var data = new DataInputStream(in)) {
            while (true) {
                int len;
                try {
                    len = data.readInt();
                } catch (EOFException e) {
                    break;
                }
                byte[] frame = new byte[len];
                data.readFully(frame);
                frames.add(frame);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read corpus " + file, e);
        }
        return frames;
    }

    static long seq(byte[] frame) {
        return PayloadFields.scan(frame, dev.jlay.atproto.stream.FrameHeader.peek(frame).payloadOffset()).seq();
    }
}
