package dev.jlay.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.crypto.BouncyCastleVerifier;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.metrics.MetricRegistry;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/**
 * Which verifier the relay takes: libsecp256k1 for secp256k1 where the library is installed (as
 * scripts/setup makes sure for the suite), BouncyCastle where it is missing, and both paths really
 * verify.
 */
class SignatureVerifierChoiceTest {

    static Secp256k1Library installedLibrary() {
        return switch (Secp256k1Library.load()) {
            case Secp256k1Library.Loading.Loaded l -> l.library();
            case Secp256k1Library.Loading.Missing m -> throw new AssertionError(
                    "libsecp256k1 is not installed (Debian libsecp256k1-1; scripts/setup installs it): " + m.reason());
        };
    }

    private static Keypair key(Curve curve) throws Exception {
        var seed = SecureRandom.getInstance("SHA1PRNG");
        seed.setSeed(7);
        return Keypair.generate(curve, seed);
    }

    private static void verifiesRightAndWrong(CurveVerifiers verifiers) throws Exception {
        for (Curve curve : Curve.values()) {
            Keypair kp = key(curve);
            PublicKey pub = PublicKey.fromMultikey(kp.multikey());
            byte[] msg = "a commit".getBytes(StandardCharsets.UTF_8);
            byte[] sig = kp.sign(msg);
            assertThat(verifiers.verify(pub, msg, sig)).as(curve + " valid").isTrue();
            byte[] other = "another commit".getBytes(StandardCharsets.UTF_8);
            assertThat(verifiers.verify(pub, other, sig)).as(curve + " other message").isFalse();
        }
    }

    @Test
    void theNativeLibraryIsTakenForSecp256k1WhereItIsInstalled() throws Exception {
        installedLibrary();
        CurveVerifiers chosen = CurveVerifiers.choose();

        assertThat(chosen.k256()).isInstanceOf(NativeSecp256k1Verifier.class);
        assertThat(chosen.implementation(Curve.K256)).isEqualTo("libsecp256k1");
        assertThat(chosen.implementation(Curve.P256)).isEqualTo("bouncycastle");
        assertThat(chosen.note()).isEmpty();
        assertThat(chosen.summary())
                .isEqualTo("signature verification: secp256k1 by libsecp256k1, P-256 by bouncycastle");
        verifiesRightAndWrong(chosen);
    }

    @Test
    void aMissingLibraryFallsBackToBouncyCastle() throws Exception {
        var loading = Secp256k1Library.load("libsecp256k1-not-installed.so.9");
        assertThat(loading).isInstanceOf(Secp256k1Library.Loading.Missing.class);

        CurveVerifiers chosen = CurveVerifiers.choose(loading);

        assertThat(chosen.k256()).isSameAs(BouncyCastleVerifier.INSTANCE);
        assertThat(chosen.implementation(Curve.K256)).isEqualTo("bouncycastle");
        assertThat(chosen.summary()).startsWith("signature verification: secp256k1 by bouncycastle, P-256 by "
                + "bouncycastle; libsecp256k1 not used: libsecp256k1-not-installed.so.9");
        verifiesRightAndWrong(chosen);
    }

    @Test
    void aCachedKeyIsParsedByTheLibraryOnce() throws Exception {
        Keypair kp = key(Curve.K256);
        PublicKey pub = PublicKey.fromMultikey(kp.multikey());
        var verifier = new NativeSecp256k1Verifier(installedLibrary());
        byte[] msg = {1, 2, 3};
        assertThat(verifier.verify(pub, msg, kp.sign(msg))).isTrue();
        Object parsed = pub.derived(Object.class, k -> {
            throw new AssertionError("parsed again");
        });
        assertThat(verifier.verify(pub, msg, kp.sign(msg))).isTrue();
        assertThat(pub.derived(Object.class, k -> null)).isSameAs(parsed);
    }

    @Test
    void theChoiceIsAnInfoGaugePerCurve() throws Exception {
        var metrics = new MetricRegistry();
        dev.jlay.Relay.registerSignatureVerifier(metrics,
                CurveVerifiers.choose(Secp256k1Library.load("libsecp256k1-not-installed.so.9")));
        String text = metrics.render();
        assertThat(text)
                .contains("# TYPE relay_signature_verifier_info gauge")
                .contains("relay_signature_verifier_info{curve=\"secp256k1\",implementation=\"bouncycastle\"} 1")
                .contains("relay_signature_verifier_info{curve=\"p256\",implementation=\"bouncycastle\"} 1");
    }
}
