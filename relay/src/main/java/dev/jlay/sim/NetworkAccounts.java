package dev.jlay.sim;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * Every account of the network-shaped simulator, kept compact: an account is its index. Its DID
 * (the index in the first five base32 characters, the rest from the seed), handle and key
 * (secp256k1 for even indexes, P-256 for odd) are derived from the index and the seed whenever
 * needed, so the PLC stub can answer for a million accounts without storing a document. Only
 * {@code maxLive} accounts hold a repository at a time (least recently active goes first); one
 * bit per account says whether it has been announced. An account that comes back after being
 * let go rejoins with a {@code #sync} of a fresh repository, as a PDS does after resetting a
 * repo, and is counted ({@link #rejoins()}).
 */
public final class NetworkAccounts {
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    /** Per mille of arrivals that are #identity / #account / #sync (shared/corpus: 3.7 %, 3.5 %, 2.6 %). */
    public record Mix(int identity, int account, int sync) {
        public static final Mix NETWORK = new Mix(37, 35, 26);
    }

    private final NetworkShape shape;
    private final long seed;
    private final int maxLive;
    private final int maxRecords;
    private final Mix mix;
    private final IntFunction<URI> hostUrl;
    private final IntFunction<String> hostDomain;
    private final BitSet announced;
    private final LinkedHashMap<Integer, NetworkAccount> live;
    private long rejoins;
    private long announcedCount;

    public NetworkAccounts(NetworkShape shape, long seed, int maxLive, int maxRecords, Mix mix,
                           IntFunction<URI> hostUrl, IntFunction<String> hostDomain) {
        this.shape = shape;
        this.seed = seed;
        this.maxLive = Math.max(1, maxLive);
        this.maxRecords = maxRecords;
        this.mix = mix;
        this.hostUrl = hostUrl;
        this.hostDomain = hostDomain;
        this.announced = new BitSet(shape.accounts());
        this.live = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, NetworkAccount> eldest) {
                return size() > NetworkAccounts.this.maxLive;
            }
        };
    }

    public String did(int index) {
        var sb = new StringBuilder(32).append("did:plc:");
        for (int i = 4; i >= 0; i--) sb.append(BASE32[(index >>> (5 * i)) & 31]);
        long bits = mix64(seed * 0x9E3779B97F4A7C15L + index);
        long more = mix64(bits);
        for (int i = 0; i < 19; i++) {
            long src = i < 12 ? bits >>> (5 * i) : more >>> (5 * (i - 12));
            sb.append(BASE32[(int) (src & 31)]);
        }
        return sb.toString();
    }

    /** The account index of a DID this simulator made, or -1. */
    public int indexOf(String did) {
        if (did == null || did.length() != 32 || !did.startsWith("did:plc:")) return -1;
        int index = 0;
        for (int i = 0; i < 5; i++) {
            int v = value(did.charAt(8 + i));
            if (v < 0) return -1;
            index = (index << 5) | v;
        }
        if (index >= shape.accounts() || !did(index).equals(did)) return -1;
        return index;
    }

    private static int value(char c) {
        if (c >= 'a' && c <= 'z') return c - 'a';
        if (c >= '2' && c <= '7') return 26 + c - '2';
        return -1;
    }

    public String handle(int index) {
        int host = shape.hostOf(index);
        return "u" + (index - shape.firstAccountOf(host)) + "." + hostDomain.apply(host);
    }

    public Keypair key(int index) {
        Curve curve = index % 2 == 0 ? Curve.K256 : Curve.P256;
        try {
            byte[] priv = MessageDigest.getInstance("SHA-256")
                    .digest(ByteBuffer.allocate(24).putLong(seed).putLong(index).putLong(0x6a6c6179L).array());
            priv[0] = (byte) ((priv[0] & 0x3f) | 0x40); // non-zero and below either curve's order
            return Keypair.fromPrivateKey(curve, priv);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The DID document the PLC stub serves for a DID of this simulator, or null. */
    public byte[] document(String did) {
        int index = indexOf(did);
        if (index < 0) return null;
        return DidDocuments.bytes(did, handle(index), key(index), hostUrl.apply(shape.hostOf(index)));
    }

    /**
     * The frames (placeholder seq) of one arrival of {@code index}: on its first, {@code #identity},
     * {@code #account} and its genesis commit; when it comes back after being let go, a
     * {@code #sync}; otherwise one event of the mix. Not thread-safe: the generator owns it.
     */
    public List<byte[]> arrival(int index, Random random) {
        NetworkAccount a = live.get(index);
        if (a == null) {
            a = new NetworkAccount(index, did(index), handle(index), key(index), maxRecords);
            live.put(index, a);
            var genesis = a.genesis();
            String now = EventTime.now();
            if (!announced.get(index)) {
                announced.set(index);
                announcedCount++;
                var out = new ArrayList<byte[]>(3);
                out.add(FirehoseCodec.encode(new IdentityMessage(HostTraffic.PLACEHOLDER_SEQ, a.did(), now, a.handle())));
                out.add(FirehoseCodec.encode(new AccountMessage(HostTraffic.PLACEHOLDER_SEQ, a.did(), now, true, null)));
                out.add(FirehoseCodec.encode(genesis.toMessage(HostTraffic.PLACEHOLDER_SEQ, now)));
                return out;
            }
            rejoins++;
            return List.of(FirehoseCodec.encode(a.repo().syncMessage(HostTraffic.PLACEHOLDER_SEQ, now)));
        }
        String now = EventTime.now();
        int roll = random.nextInt(1000);
        if (roll < mix.identity()) {
            return List.of(FirehoseCodec.encode(new IdentityMessage(HostTraffic.PLACEHOLDER_SEQ, a.did(), now, a.handle())));
        }
        roll -= mix.identity();
        if (roll < mix.account()) {
            return List.of(FirehoseCodec.encode(new AccountMessage(HostTraffic.PLACEHOLDER_SEQ, a.did(), now, true, null)));
        }
        roll -= mix.account();
        if (roll < mix.sync()) return List.of(FirehoseCodec.encode(a.repo().syncMessage(HostTraffic.PLACEHOLDER_SEQ, now)));
        return List.of(FirehoseCodec.encode(a.nextCommit(random).toMessage(HostTraffic.PLACEHOLDER_SEQ, now)));
    }

    /** Accounts announced so far (their genesis sent). */
    public long announced() {
        return announcedCount;
    }

    /** Arrivals of an account that had been let go (each a #sync of a fresh repo). */
    public long rejoins() {
        return rejoins;
    }

    public int liveAccounts() {
        return live.size();
    }

    public int maxLive() {
        return maxLive;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
