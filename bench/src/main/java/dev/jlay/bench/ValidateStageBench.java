package dev.jlay.bench;

import dev.jlay.atproto.crypto.BouncyCastleVerifier;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.crypto.SignatureVerifier;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.crypto.NativeSecp256k1Verifier;
import dev.jlay.crypto.Secp256k1Library;
import dev.jlay.validate.Checked;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.InMemoryChainState;
import dev.jlay.validate.ValidationConfig;
import dev.jlay.validate.Verdict;
import java.net.URI;
import java.time.Clock;
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
 * The pipeline's {@code validate} stage (with the {@code mst} inversion it times inside) on the
 * corpus' typical commit, a decoded #commit with one create: CAR parse, commit decode, signature
 * against the cached key, rev order, MST inversion. Run with {@code -prof gc}: its
 * {@code gc.alloc.rate.norm} is the allocation regression guard of the stage, per signature
 * verifier ({@code bouncycastle}, {@code libsecp256k1}). The chain state is empty and never
 * advanced, so every invocation judges the same commit the same way.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ValidateStageBench {
    @Param({"bouncycastle", "libsecp256k1"})
    public String verifier;

    private FrameValidator validator;
    private CommitMessage commit;
    private FrameValidator.Authority authority;

    @Setup
    public void setup() {
        SignatureVerifier signatures = switch (verifier) {
            case "bouncycastle" -> BouncyCastleVerifier.INSTANCE;
            case "libsecp256k1" -> switch (Secp256k1Library.load()) {
                case Secp256k1Library.Loading.Loaded l -> new NativeSecp256k1Verifier(l.library());
                case Secp256k1Library.Loading.Missing m -> throw new IllegalStateException(m.reason());
            };
            default -> throw new IllegalArgumentException(verifier);
        };
        var typical = CorpusCommits.typical(CorpusCommits.commits());
        commit = typical.message();
        PublicKey key = CorpusCommits.key(commit.repo());
        if (!signatures.implementation(key.curve()).equals(verifier)) {
            throw new IllegalStateException("the typical commit's key is " + key.curve() + ", not verified by " + verifier);
        }
        authority = new FrameValidator.Authority(key, URI.create("https://pds.invalid"));
        validator = new FrameValidator(ValidationConfig.strict().withSignatures(signatures),
                new InMemoryChainState(16), Clock.systemUTC());
        if (!(check().verdict() instanceof Verdict.Pass)) {
            throw new IllegalStateException("the typical commit does not pass: " + check().verdict());
        }
    }

    @Benchmark
    public Checked check() {
        return validator.check(commit, null, authority, null);
    }
}
