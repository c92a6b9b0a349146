package dev.jlay.bench;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.crypto.BouncyCastleVerifier;
import dev.jlay.atproto.crypto.SignatureVerifier;
import dev.jlay.crypto.NativeSecp256k1Verifier;
import dev.jlay.crypto.Secp256k1Library;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * Ops per second of this thread's CPU time (not wall time) for the signature operations. On a
 * shared, overloaded machine wall-clock JMH scores mostly measure the neighbours; thread CPU time
 * is what one core would deliver. Complements {@link SignatureBench}, does not replace it.
 * Usage: {@code scripts/bench --main dev.jlay.bench.SignatureCpuProbe [cpuSecondsPerRound] [rounds]}
 */
public final class SignatureCpuProbe {
    public static void main(String[] args) throws Exception {
        var probe = CpuProbe.fromArgs(args);
        for (Curve curve : Curve.values()) {
            var seed = SecureRandom.getInstance("SHA1PRNG");
            seed.setSeed(42);
            Keypair kp = Keypair.generate(curve, seed);
            String multikey = kp.multikey();
            PublicKey key = PublicKey.fromMultikey(multikey);
            int n = 64;
            byte[][] msgs = new byte[n][];
            byte[][] sigs = new byte[n][];
            var rnd = new Random(1);
            for (int k = 0; k < n; k++) {
                msgs[k] = new byte[200];
                rnd.nextBytes(msgs[k]);
                sigs[k] = kp.sign(msgs[k]);
            }
            report(curve, "verifyCachedKey", probe, k -> key.verify(msgs[k & 63], sigs[k & 63]));
            report(curve, "decodeMultikey", probe, k -> PublicKey.fromMultikey(multikey) != null);
            report(curve, "decodeAndVerify", probe,
                    k -> PublicKey.fromMultikey(multikey).verify(msgs[k & 63], sigs[k & 63]));
            report(curve, "sign", probe, k -> kp.sign(msgs[k & 63]).length == 64);
            // the relay's verifier choices for this curve, same key and messages
            for (SignatureVerifier v : verifiers(curve)) {
                report(curve, "verify:" + v.implementation(curve), probe, k -> v.verify(key, msgs[k & 63], sigs[k & 63]));
                report(curve, "decode+verify:" + v.implementation(curve), probe,
                        k -> v.verify(PublicKey.fromMultikey(multikey), msgs[k & 63], sigs[k & 63]));
            }
        }
    }

    private static List<SignatureVerifier> verifiers(Curve curve) {
        var out = new ArrayList<SignatureVerifier>(List.of(BouncyCastleVerifier.INSTANCE));
        switch (curve) {
            case K256 -> {
                if (Secp256k1Library.load() instanceof Secp256k1Library.Loading.Loaded l) {
                    out.add(new NativeSecp256k1Verifier(l.library()));
                } else {
                    System.out.println("K256  libsecp256k1 missing: not measured");
                }
            }
            case P256 -> out.add(new JdkP256Verifier());
        }
        return out;
    }

    private static void report(Curve curve, String op, CpuProbe probe, IntPredicate body) {
        var r = probe.run(body);
        System.out.printf("%-5s %-28s median %,10.0f ops/cpu-s  (min %,.0f, max %,.0f, %d rounds of %.1f cpu-s)%n",
                curve, op, r.median(), r.min(), r.max(), probe.rounds(), probe.seconds());
    }
}
