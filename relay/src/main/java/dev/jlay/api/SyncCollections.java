package dev.jlay.api;

import dev.jlay.atproto.syntax.Nsid;
import dev.jlay.collections.CollectionIndex;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code com.atproto.sync.listReposByCollection} from the {@link CollectionIndex}; the cursor is the last DID. */
public final class SyncCollections {
    private final CollectionIndex index;

    public SyncCollections(CollectionIndex index) {
        this.index = index;
    }

    void list(ServerRequest req, ServerResponse res) {
        var collection = Params.required(req, "collection");
        if (!Nsid.isValid(collection)) {
            throw XrpcException.invalidRequest("collection is not a valid NSID");
        }
        int limit = Params.limit(req, 1, 2000, 500);
        var after = Params.didCursor(req).orElse(null);
        var dids = index.repos(collection, after, limit);
        var repos = Json.array();
        dids.forEach(did -> repos.addObject().put("did", did));
        var body = Json.object();
        if (dids.size() == limit) {
            body.put("cursor", dids.getLast());
        }
        body.set("repos", repos);
        Json.send(res, body);
    }
}
