package dev.jlay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.RepoOp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The recorded corpus' {@code #commit} frames for benchmarks, read through {@link CorpusData}. */
final class CorpusCommits {
    record Frame(byte[] bytes, CommitMessage message) {}

    private CorpusCommits() {}

    /** Every #commit frame with a prevData (all but the genesis commits), in corpus order. */
    static List<Frame> commits() {
        var out = new ArrayList<Frame>();
        for (String file : List.of("pds0.frames", "pds1.frames")) {
            for (byte[] frame : CorpusData.frames(file)) {
                if (FirehoseCodec.decode(frame) instanceof CommitMessage c && c.prevData() != null) {
                    out.add(new Frame(frame, c));
                }
            }
        }
        return out;
    }

    /**
     * A typical commit: one create (the commonest firehose event), the median frame size among
     * those.
     */
    static Frame typical(List<Frame> all) {
        var creates = all.stream()
                .filter(f -> f.message().ops().size() == 1 && f.message().ops().get(0).action() == RepoOp.Action.CREATE)
                .sorted(Comparator.comparingInt(f -> f.bytes().length))
                .toList();
        return creates.get(creates.size() / 2);
    }

    /** The commit with the most ops (a 200-write applyWrites in the corpus). */
    static Frame biggestBatch(List<Frame> all) {
        return all.stream().max(Comparator.comparingInt(f -> f.message().ops().size())).orElseThrow();
    }

    /** The DID's current #atproto key from did-docs.json. */
    static PublicKey key(String did) {
        try {
            JsonNode docs = new ObjectMapper().readTree(CorpusData.corpusDir().resolve("did-docs.json").toFile());
            for (JsonNode vm : docs.path(did).path("verificationMethod")) {
                if (vm.get("id").asText().endsWith("#atproto")) {
                    return PublicKey.fromMultikey(vm.get("publicKeyMultibase").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no key for " + did);
    }
}
