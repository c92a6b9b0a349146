package dev.jlay.sim;

import dev.jlay.atproto.car.Car;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.car.CarWriter;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.repo.Commit;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.FrameHeader;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per host: which faults to emit, as one-shots ({@link #inject}) or as a fraction of commits
 * ({@link #setFraction}). Fault frames go in just before a real commit and are made from it
 * (or, for a stale rev, from the commit before it), so the real stream stays whole: the relay
 * drops the fault and then accepts the real commit with no gap in the account's chain.
 * Settings are thread-safe; {@link #before}/{@link #after} are called by the one emitter.
 */
public final class FaultInjector {
    /** Over the 5 MB frame cap with room to spare. */
    static final int OVERSIZED_BLOCKS = 5_100_000;

    private final AtomicIntegerArray pending = new AtomicIntegerArray(Fault.values().length);
    private final double[] fractions = new double[Fault.values().length];
    private final AtomicLongArray injected = new AtomicLongArray(Fault.values().length);
    private final Random random;
    private final Keypair stranger;
    private byte[] lastCommit;

    public FaultInjector(long seed) {
        this.random = new Random(seed);
        try {
            var r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed ^ 0x5eed);
            this.stranger = Keypair.generate(Curve.K256, r);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Emit {@code count} of {@code fault}, one before each of the next commits. */
    public void inject(Fault fault, int count) {
        pending.addAndGet(fault.ordinal(), count);
    }

    /** Emit {@code fault} before this fraction (0..1) of commits. */
    public synchronized void setFraction(Fault fault, double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) throw new IllegalArgumentException("fraction must be in [0, 1]");
        fractions[fault.ordinal()] = fraction;
    }

    public Map<Fault, Long> injected() {
        var out = new EnumMap<Fault, Long>(Fault.class);
        for (Fault f : Fault.values()) out.put(f, injected.get(f.ordinal()));
        return out;
    }

    public long injectedTotal() {
        long n = 0;
        for (Fault f : Fault.values()) n += injected.get(f.ordinal());
        return n;
    }

    /** The fault frames (seq placeholders) to send before {@code next}; usually none. */
    public List<byte[]> before(byte[] next) {
        if (!CommitMessage.TYPE.equals(FrameHeader.peek(next).type())) return List.of();
        List<byte[]> out = null;
        double[] f;
        synchronized (this) {
            f = fractions.clone();
        }
        for (Fault fault : Fault.values()) {
            int i = fault.ordinal();
            boolean due = pending.get(i) > 0 || (f[i] > 0 && random.nextDouble() < f[i]);
            if (!due) continue;
            byte[] bad = make(fault, next);
            if (bad == null) continue; // a stale rev needs an earlier commit: keep it pending
            if (pending.get(i) > 0) pending.decrementAndGet(i);
            injected.incrementAndGet(i);
            if (out == null) out = new ArrayList<>(2);
            out.add(bad);
        }
        return out == null ? List.of() : out;
    }

    /** Remembers the last real commit sent (for {@link Fault#STALE_REV}). */
    public void after(byte[] sent) {
        if (CommitMessage.TYPE.equals(FrameHeader.peek(sent).type())) lastCommit = sent;
    }

    private byte[] make(Fault fault, byte[] next) {
        return switch (fault) {
            case STALE_REV -> lastCommit;
            case GARBAGE -> garbage();
            case BAD_SIGNATURE -> badSignature(decode(next));
            case BROKEN_INVERSION -> brokenInversion(decode(next));
            case OVERSIZED_FRAME -> oversized(decode(next));
        };
    }

    private static CommitMessage decode(byte[] frame) {
        return (CommitMessage) FirehoseCodec.decode(frame);
    }

    /** True for a frame {@link #garbage()} made: no firehose frame starts with 0xff. */
    static boolean isGarbage(byte[] frame) {
        return frame.length > 0 && frame[0] == (byte) 0xff;
    }

    /** 0xff is a CBOR "break" where a header must start: no decoder takes it for a frame. */
    private byte[] garbage() {
        byte[] b = new byte[64 + random.nextInt(512)];
        random.nextBytes(b);
        b[0] = (byte) 0xff;
        return b;
    }

    /** The same commit re-signed by a stranger's key: a well-formed frame whose signature fails. */
    private byte[] badSignature(CommitMessage m) {
        Car car = CarReader.readFirehose(m.blocks());
        Commit real = Commit.decode(car.block(m.commit()));
        Commit forged = Commit.sign(real.did(), real.data(), real.rev(), real.prev(), stranger);
        byte[] block = forged.encode();
        Cid cid = Cid.ofDagCbor(block);
        var blocks = new LinkedHashMap<Cid, byte[]>();
        blocks.put(cid, block);
        car.blocks().forEach((k, v) -> {
            if (!k.equals(m.commit())) blocks.put(k, v);
        });
        return FirehoseCodec.encode(new CommitMessage(m.seq(), m.repo(), cid, m.rev(), m.since(),
                CarWriter.write(List.of(cid), blocks), m.ops(), m.prevData(), m.blobs(), m.time(), false, false));
    }

    /** prevData pointing at a block that is no MST node at all: nothing inverts to it. */
    private static byte[] brokenInversion(CommitMessage m) {
        Cid wrong = Cid.ofDagCbor(new byte[] {(byte) 0xa0});
        return FirehoseCodec.encode(new CommitMessage(m.seq(), m.repo(), m.commit(), m.rev(), m.since(), m.blocks(),
                m.ops(), wrong, m.blobs(), m.time(), false, false));
    }

    private static byte[] oversized(CommitMessage m) {
        return FirehoseCodec.encode(new CommitMessage(m.seq(), m.repo(), m.commit(), m.rev(), m.since(),
                new byte[OVERSIZED_BLOCKS], m.ops(), m.prevData(), m.blobs(), m.time(), false, false));
    }
}
