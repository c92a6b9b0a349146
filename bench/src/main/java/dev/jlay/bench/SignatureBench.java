package dev.jlay.bench;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.crypto.PublicKey;
import java.security.SecureRandom;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Commit-signature costs per curve: verify with a cached decoded key (the relay's steady state),
 * decoding a multikey (paid once per account key), and signing (PDS simulator).
 * Messages are ~200 bytes like an unsigned commit block.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SignatureBench {
    private static final int N = 64;

    @Param({"K256", "P256"})
    public String curve;

    private PublicKey key;
    private Keypair keypair;
    private String multikey;
    private final byte[][] messages = new byte[N][];
    private final byte[][] signatures = new byte[N][];
    private int i;

    @Setup
    public void setup() throws Exception {
        var seed = SecureRandom.getInstance("SHA1PRNG");
        seed.setSeed(42);
        keypair = Keypair.generate(Curve.valueOf(curve), seed);
        multikey = keypair.multikey();
        key = PublicKey.fromMultikey(multikey);
        var rnd = new Random(1);
        for (int k = 0; k < N; k++) {
            messages[k] = new byte[200];
            rnd.nextBytes(messages[k]);
            signatures[k] = keypair.sign(messages[k]);
            if (!key.verify(messages[k], signatures[k])) {
                throw new IllegalStateException("setup signature does not verify");
            }
        }
    }

    @Benchmark
    public boolean verifyCachedKey() {
        int k = i++ & (N - 1);
        return key.verify(messages[k], signatures[k]);
    }

    @Benchmark
    public PublicKey decodeMultikey() {
        return PublicKey.fromMultikey(multikey);
    }

    @Benchmark
    public boolean decodeAndVerify() {
        int k = i++ & (N - 1);
        return PublicKey.fromMultikey(multikey).verify(messages[k], signatures[k]);
    }

    @Benchmark
    public byte[] sign() {
        return keypair.sign(messages[i++ & (N - 1)]);
    }
}
