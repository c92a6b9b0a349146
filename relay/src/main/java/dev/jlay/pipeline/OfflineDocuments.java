package dev.jlay.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.syntax.Did;
import dev.jlay.identity.DidDocument;
import dev.jlay.identity.DidDocumentParser;
import dev.jlay.identity.DocumentSource;
import dev.jlay.identity.IdentityException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * DID documents from a JSON map DID → document (like the corpus's did-docs.json):
 * a {@link DocumentSource} that never touches the network.
 */
public final class OfflineDocuments implements DocumentSource {

    private final Map<String, JsonNode> docs;

    public OfflineDocuments(Map<String, JsonNode> docs) {
        this.docs = Map.copyOf(docs);
    }

    public static OfflineDocuments read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        var map = new TreeMap<String, JsonNode>();
        root.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue()));
        return new OfflineDocuments(map);
    }

    public Set<String> dids() {
        return docs.keySet();
    }

    @Override
    public DidDocument fetch(String did) throws IdentityException {
        JsonNode doc = docs.get(did);
        if (doc == null) throw new IdentityException.NotFound(did);
        return DidDocumentParser.parse(Did.parse(did), doc);
    }
}
