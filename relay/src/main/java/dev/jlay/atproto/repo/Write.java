package dev.jlay.atproto.repo;

import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.stream.RepoOp;
import java.util.Map;

/** One record write for {@link RepoWriter}: the record is its DAG-CBOR block (null for a delete). */
public record Write(RepoOp.Action action, String path, byte[] record) {
    public Write {
        if ((action == RepoOp.Action.DELETE) != (record == null)) {
            throw new IllegalArgumentException(action.wire() + " " + path + ": record must be given exactly for create/update");
        }
    }

    public static Write create(String path, byte[] record) {
        return new Write(RepoOp.Action.CREATE, path, record);
    }

    public static Write create(String path, Map<String, Object> record) {
        return create(path, DagCbor.encode(record));
    }

    public static Write update(String path, byte[] record) {
        return new Write(RepoOp.Action.UPDATE, path, record);
    }

    public static Write update(String path, Map<String, Object> record) {
        return update(path, DagCbor.encode(record));
    }

    public static Write delete(String path) {
        return new Write(RepoOp.Action.DELETE, path, null);
    }
}
