package dev.jlay.jetstream;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Jetstream's {@code compress=true}: each event is one zstd frame made with the dictionary
 * production Jetstream v1 uses ({@code legacy_subscribe.zdict}, id 1612007021), so existing
 * clients decode it with the dictionary they ship. Compression contexts (native, with the
 * dictionary loaded) are pooled, at most one per core, since a virtual thread per connection would
 * otherwise make one each.
 */
public final class ZstdFrames implements AutoCloseable {
    /** The dictionary, on the classpath next to this class. */
    public static final String DICTIONARY = "legacy_subscribe.zdict";
    /**
     * zstd's fastest standard level: each event is compressed once, but a replaying connection
     * compresses every event it reads, and level 1 made that about twice as fast as level 3 for
     * frames a tenth larger (docs/benchmarks.md). Any level decodes with the same dictionary.
     */
    static final int LEVEL = 1;

    private final byte[] dictionary;
    private final ZstdDictCompress dict;
    private final ArrayBlockingQueue<ZstdCompressCtx> pool;

    public ZstdFrames() {
        this.dictionary = loadDictionary();
        this.dict = new ZstdDictCompress(dictionary, LEVEL);
        this.pool = new ArrayBlockingQueue<>(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /** The dictionary's bytes (clients and tests decompress with it). */
    public static byte[] loadDictionary() {
        try (InputStream in = ZstdFrames.class.getResourceAsStream(DICTIONARY)) {
            if (in == null) {
                throw new IllegalStateException(DICTIONARY + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] dictionary() {
        return dictionary.clone();
    }

    /** One zstd frame of {@code json}. */
    public byte[] compress(byte[] json) {
        var ctx = pool.poll();
        if (ctx == null) {
            ctx = new ZstdCompressCtx();
            ctx.setLevel(LEVEL);
            ctx.loadDict(dict);
        }
        try {
            return ctx.compress(json);
        } finally {
            if (!pool.offer(ctx)) {
                ctx.close();
            }
        }
    }

    @Override
    public void close() {
        ZstdCompressCtx ctx;
        while ((ctx = pool.poll()) != null) {
            ctx.close();
        }
        dict.close();
    }
}
