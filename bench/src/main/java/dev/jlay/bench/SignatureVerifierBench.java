package dev.jlay.bench;

import dev.jlay.atproto.crypto.BouncyCastleVerifier;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.crypto.SignatureVerifier;
import dev.jlay.crypto.NativeSecp256k1Verifier;
import dev.jlay.crypto.Secp256k1Library;
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
 * The signature verifiers side by side, with a key decoded once (the relay's steady state) over
 * ~200-byte messages like an unsigned commit: throughput and, with {@code -prof gc}, bytes
 * allocated per verification ({@code gc.alloc.rate.norm}, the regression guard of the
 * validate stage's signature check). {@code verifier} is curve:implementation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SignatureVerifierBench {
    private static final int N = 64;

    @Param({"K256:bouncycastle", "K256:libsecp256k1", "P256:bouncycastle", "P256:jdk"})
    public String verifier;

    private SignatureVerifier impl;
    private PublicKey key;
    private final byte[][] messages = new byte[N][];
    private final byte[][] signatures = new byte[N][];
    private int i;

    @Setup
    public void setup() throws Exception {
        String[] parts = verifier.split(":");
        Curve curve = Curve.valueOf(parts[0]);
        impl = switch (parts[1]) {
            case "bouncycastle" -> BouncyCastleVerifier.INSTANCE;
            case "libsecp256k1" -> switch (Secp256k1Library.load()) {
                case Secp256k1Library.Loading.Loaded l -> new NativeSecp256k1Verifier(l.library());
                case Secp256k1Library.Loading.Missing m -> throw new IllegalStateException(m.reason());
            };
            case "jdk" -> new JdkP256Verifier();
            default -> throw new IllegalArgumentException(verifier);
        };
        if (!impl.implementation(curve).equals(parts[1])) {
            throw new IllegalArgumentException(parts[1] + " does not verify " + curve);
        }
        var seed = SecureRandom.getInstance("SHA1PRNG");
        seed.setSeed(42);
        Keypair keypair = Keypair.generate(curve, seed);
        key = PublicKey.fromMultikey(keypair.multikey());
        var rnd = new Random(1);
        for (int k = 0; k < N; k++) {
            messages[k] = new byte[200];
            rnd.nextBytes(messages[k]);
            signatures[k] = keypair.sign(messages[k]);
            if (!impl.verify(key, messages[k], signatures[k])) {
                throw new IllegalStateException("setup signature does not verify");
            }
        }
    }

    @Benchmark
    public boolean verifyCachedKey() {
        int k = i++ & (N - 1);
        return impl.verify(key, messages[k], signatures[k]);
    }
}
