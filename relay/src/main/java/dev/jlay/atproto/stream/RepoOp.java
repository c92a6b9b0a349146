package dev.jlay.atproto.stream;

import dev.jlay.atproto.cid.Cid;

/**
 * One record operation of a {@code #commit}: {@code cid} is the new record CID (null for a
 * delete), {@code prev} the old one (absent on create; needed for inversion).
 */
public record RepoOp(Action action, String path, Cid cid, Cid prev) {
    public enum Action {
        CREATE("create"),
        UPDATE("update"),
        DELETE("delete");

        private final String wire;

        Action(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        /** The action for a wire name, or null if unknown. */
        public static Action fromWire(String s) {
            return switch (s) {
                case "create" -> CREATE;
                case "update" -> UPDATE;
                case "delete" -> DELETE;
                default -> null;
            };
        }
    }
}
