-- jlay relay state: upstream hosts, accounts, per-account repo state, domain bans,
-- small relay key/values and the admin audit log. Applied by Flyway at start.

CREATE TABLE host (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hostname          text        NOT NULL UNIQUE CHECK (hostname <> '' AND hostname = lower(hostname)),
    status            text        NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'idle', 'offline', 'throttled', 'banned')),
    last_seq          bigint      NOT NULL DEFAULT 0 CHECK (last_seq >= 0),   -- upstream cursor
    account_count     bigint      NOT NULL DEFAULT 0 CHECK (account_count >= 0),
    account_limit     bigint      NOT NULL CHECK (account_limit >= 0),
    events_per_second bigint      NOT NULL CHECK (events_per_second >= 0),
    events_per_hour   bigint      NOT NULL CHECK (events_per_hour >= 0),
    events_per_day    bigint      NOT NULL CHECK (events_per_day >= 0),
    trusted           boolean     NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX host_status_idx ON host (status);
CREATE INDEX host_created_at_idx ON host (created_at);   -- new-hosts-per-day limit

CREATE TABLE account (
    did             text        PRIMARY KEY CHECK (did LIKE 'did:%'),
    -- hostname of the PDS whose events are accepted for this DID; null until known
    -- (an admin may take a DID down before the relay has seen it). Not a foreign
    -- key: a DID document may name a PDS the relay does not crawl.
    host            text,
    local_status    text        NOT NULL DEFAULT 'active'
                    CHECK (local_status IN ('active', 'takendown', 'suspended', 'throttled')),
    upstream_status text        NOT NULL DEFAULT 'active'
                    CHECK (upstream_status IN ('active', 'deactivated', 'deleted', 'desynchronized',
                                               'suspended', 'takendown', 'throttled')),
    discontinuities bigint      NOT NULL DEFAULT 0 CHECK (discontinuities >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_host_idx ON account (host);
-- admin listings of takedowns etc.; most accounts are active, so a partial index
CREATE INDEX account_local_status_idx ON account (local_status, did) WHERE local_status <> 'active';

CREATE TABLE account_repo (
    did        text        PRIMARY KEY CHECK (did LIKE 'did:%'),
    rev        text        NOT NULL,
    commit_cid text        NOT NULL,
    data_cid   text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE domain_ban (
    suffix     text        PRIMARY KEY
               CHECK (suffix <> '' AND suffix = lower(suffix) AND left(suffix, 1) <> '.'),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE relay_state (
    k          text        PRIMARY KEY,
    v          text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE admin_audit (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    actor  text        NOT NULL,
    action text        NOT NULL,
    target text        NOT NULL,
    detail text        NOT NULL DEFAULT ''
);
CREATE INDEX admin_audit_at_idx ON admin_audit (at);

-- host.account_count follows the account table. Statement-level triggers with
-- transition tables, so a batched upsert of N accounts updates each host row
-- once rather than N times.
CREATE FUNCTION account_count_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE host h SET account_count = h.account_count + n.c
      FROM (SELECT host, count(*) AS c FROM new_rows WHERE host IS NOT NULL GROUP BY host) n
     WHERE h.hostname = n.host;
    RETURN NULL;
END $$;

CREATE FUNCTION account_count_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE host h SET account_count = greatest(h.account_count - o.c, 0)
      FROM (SELECT host, count(*) AS c FROM old_rows WHERE host IS NOT NULL GROUP BY host) o
     WHERE h.hostname = o.host;
    RETURN NULL;
END $$;

CREATE FUNCTION account_count_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE host h SET account_count = greatest(h.account_count + d.c, 0)
      FROM (SELECT host, sum(c) AS c FROM (
                SELECT n.host, 1 AS c FROM new_rows n JOIN old_rows o USING (did)
                 WHERE n.host IS DISTINCT FROM o.host AND n.host IS NOT NULL
                UNION ALL
                SELECT o.host, -1 AS c FROM new_rows n JOIN old_rows o USING (did)
                 WHERE n.host IS DISTINCT FROM o.host AND o.host IS NOT NULL) x
             GROUP BY host) d
     WHERE h.hostname = d.host;
    RETURN NULL;
END $$;

CREATE TRIGGER account_count_insert AFTER INSERT ON account
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION account_count_on_insert();
CREATE TRIGGER account_count_delete AFTER DELETE ON account
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION account_count_on_delete();
CREATE TRIGGER account_count_update AFTER UPDATE ON account
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION account_count_on_update();

-- A host registered after its accounts were seen starts with their count.
CREATE FUNCTION host_initial_account_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.account_count := (SELECT count(*) FROM account WHERE host = NEW.hostname);
    RETURN NEW;
END $$;
CREATE TRIGGER host_initial_account_count BEFORE INSERT ON host
    FOR EACH ROW EXECUTE FUNCTION host_initial_account_count();
