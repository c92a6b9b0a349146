package dev.jlay.atproto.mst;

import dev.jlay.atproto.cid.Cid;

/**
 * One record operation of a commit, as a firehose {@code repoOp} states it: the new record CID
 * ({@code cid}, null for a delete) and the old one ({@code prev}, null for a create).
 */
public record RecordOp(Action action, String path, Cid cid, Cid prev) {
    public enum Action {
        CREATE, UPDATE, DELETE;

        /** The lexicon spelling ({@code create}, {@code update}, {@code delete}), or null if unknown. */
        public static Action parse(String s) {
            return switch (s) {
                case "create" -> CREATE;
                case "update" -> UPDATE;
                case "delete" -> DELETE;
                default -> null;
            };
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static RecordOp create(String path, Cid cid) {
        return new RecordOp(Action.CREATE, path, cid, null);
    }

    public static RecordOp update(String path, Cid cid, Cid prev) {
        return new RecordOp(Action.UPDATE, path, cid, prev);
    }

    public static RecordOp delete(String path, Cid prev) {
        return new RecordOp(Action.DELETE, path, null, prev);
    }
}
