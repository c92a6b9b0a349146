package dev.jlay.atproto.cbor;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;

/**
 * The one Jackson CBOR factory. A factory is thread-safe and immutable once built (its only
 * state is Jackson's bounded field-name symbol table), so sharing it is not shared mutable state.
 */
final class CborFactories {
    /** atproto data-validation guide: keys up to 8 KiB. */
    static final int MAX_KEY_BYTES = 8192;

    static final CBORFactory FACTORY = CBORFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(DagCbor.MAX_DEPTH + 1)
                    .maxNameLength(MAX_KEY_BYTES)
                    .build())
            .enable(CBORGenerator.Feature.WRITE_MINIMAL_INTS)
            .disable(CBORGenerator.Feature.STRINGREF)
            .disable(CBORGenerator.Feature.WRITE_TYPE_HEADER)
            .build();

    private CborFactories() {}
}
