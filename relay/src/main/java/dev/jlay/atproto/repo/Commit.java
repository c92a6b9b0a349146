package dev.jlay.atproto.repo;

import dev.jlay.atproto.cbor.CborCursor;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.crypto.SignatureVerifier;
import dev.jlay.atproto.syntax.Did;
import dev.jlay.atproto.syntax.Tid;
import java.util.HashMap;
import java.util.Map;

/**
 * A signed repository commit (format version 3): {@code did}, {@code version}, {@code data}
 * (the MST root), {@code rev} (a TID), {@code prev} (nullable, key always present) and
 * {@code sig} (64-byte compact ECDSA over the canonical encoding without {@code sig}).
 */
public record Commit(String did, long version, Cid data, String rev, Cid prev, byte[] sig) {
    public static final long VERSION = 3;

    /**
     * Strict decode of a commit block: exactly the six fields, with their types; version 3;
     * a syntactically valid DID and TID; links to dag-cbor blocks.
     */
    public static Commit decode(byte[] block) {
        Object decoded;
        try {
            decoded = DagCbor.decode(block);
        } catch (dev.jlay.atproto.ProtocolException e) {
            throw new CommitException("commit is not valid DAG-CBOR: " + e.getMessage());
        }
        if (!(decoded instanceof Map<?, ?> m) || m.size() != 6 || !m.containsKey("prev")) {
            throw new CommitException("commit must be a map of exactly did, version, data, rev, prev, sig");
        }
        if (!(m.get("did") instanceof String did) || !(m.get("version") instanceof Long version)
                || !(m.get("data") instanceof Cid data) || !(m.get("rev") instanceof String rev)
                || !(m.get("sig") instanceof byte[] sig)) {
            throw new CommitException("commit fields have wrong types");
        }
        Object prev = m.get("prev");
        if (prev != null && !(prev instanceof Cid)) {
            throw new CommitException("commit prev must be a link or null");
        }
        if (version != VERSION) {
            throw new CommitException("unsupported commit version " + version);
        }
        if (!Did.isValid(did)) {
            throw new CommitException("commit did is not a DID");
        }
        if (!Tid.isValid(rev)) {
            throw new CommitException("commit rev is not a TID");
        }
        if (!isDagCborLink(data) || (prev != null && !isDagCborLink((Cid) prev))) {
            throw new CommitException("commit links must be dag-cbor sha-256 CIDs");
        }
        return new Commit(did, version, data, rev, (Cid) prev, sig);
    }

    private static boolean isDagCborLink(Cid cid) {
        return cid.codec() == Cid.CODEC_DAG_CBOR && cid.hashType() == Cid.HASH_SHA2_256;
    }

    /** Builds and signs a version-3 commit. */
    public static Commit sign(String did, Cid data, String rev, Cid prev, Keypair key) {
        var unsigned = new Commit(did, VERSION, data, rev, prev, null);
        return new Commit(did, VERSION, data, rev, prev, key.sign(unsigned.unsignedBytes()));
    }

    /**
     * The signed bytes of a commit block that {@link #decode} accepted, cut from the block
     * itself: the block is canonical with exactly six keys ({@code did, rev, sig, data, prev,
     * version} in DAG-CBOR's order), so leaving out the {@code sig} entry and writing the map head
     * as 5 gives byte for byte what {@link #unsignedBytes()} encodes again from the fields (one
     * array copy instead of a map and Jackson's generator; CorpusCommitTest and RepoWriterTest check
     * they agree).
     */
    public static byte[] unsignedBytesOf(byte[] block) {
        try {
            var c = new CborCursor(block, 0, block.length);
            if (c.readMapHeader() != 6) {
                throw new CommitException("commit must be a map of exactly did, version, data, rev, prev, sig");
            }
            int entriesStart = c.position();
            for (int i = 0; i < 6; i++) {
                int keyStart = c.position();
                boolean sig = c.readTextEquals("sig");
                c.skipValue();
                if (sig) {
                    int sigEnd = c.position();
                    byte[] out = new byte[block.length - (sigEnd - keyStart)];
                    out[0] = (byte) 0xa5; // map(5)
                    System.arraycopy(block, entriesStart, out, 1, keyStart - entriesStart);
                    System.arraycopy(block, sigEnd, out, 1 + keyStart - entriesStart, block.length - sigEnd);
                    return out;
                }
            }
        } catch (dev.jlay.atproto.ProtocolException e) {
            throw new CommitException("commit is not valid DAG-CBOR: " + e.getMessage());
        }
        throw new CommitException("commit has no sig");
    }

    /** Canonical encoding of the commit without the {@code sig} key: the signed bytes. */
    public byte[] unsignedBytes() {
        return DagCbor.encode(fields(false));
    }

    /** The commit block (canonical, with {@code sig}). */
    public byte[] encode() {
        if (sig == null) {
            throw new IllegalStateException("commit is not signed");
        }
        return DagCbor.encode(fields(true));
    }

    /** CID of the signed commit block. */
    public Cid cid() {
        return Cid.ofDagCbor(encode());
    }

    /** True when {@code sig} is a valid signature of {@link #unsignedBytes()} by {@code key}. */
    public boolean verify(PublicKey key) {
        return sig != null && key.verify(unsignedBytes(), sig);
    }

    /** Like {@link #verify(PublicKey)}, checked by {@code verifier}. */
    public boolean verify(PublicKey key, SignatureVerifier verifier) {
        return sig != null && verifier.verify(key, unsignedBytes(), sig);
    }

    private Map<String, Object> fields(boolean withSig) {
        Map<String, Object> m = new HashMap<>(8);
        m.put("did", did);
        m.put("version", version);
        m.put("data", data);
        m.put("rev", rev);
        m.put("prev", prev);
        if (withSig) {
            m.put("sig", sig);
        }
        return m;
    }
}
