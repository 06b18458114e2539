-- Portal core: accounts, sessions, catalogue, requests, machines, the job queue and the audit log.
-- Times are Unix seconds (UTC); booleans are 0/1.

CREATE TABLE users (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    username         TEXT    NOT NULL UNIQUE,
    display_name     TEXT    NOT NULL DEFAULT '',
    email            TEXT,
    role             TEXT    NOT NULL CHECK (role IN ('admin', 'user')),
    source           TEXT    NOT NULL CHECK (source IN ('local', 'ldap')),
    password_hash    TEXT,
    disabled         INTEGER NOT NULL DEFAULT 0,
    quota_machines   INTEGER,
    quota_cpus       INTEGER,
    quota_memory_mib INTEGER,
    quota_disk_gib   INTEGER,
    created_at       INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE templates (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    name                  TEXT    NOT NULL UNIQUE,
    description           TEXT    NOT NULL DEFAULT '',
    provider              TEXT    NOT NULL,
    kind                  TEXT    NOT NULL CHECK (kind IN ('container', 'vm')),
    os_family             TEXT    NOT NULL CHECK (os_family IN ('linux', 'windows')),
    source                TEXT    NOT NULL,
    default_cpus          INTEGER NOT NULL,
    default_memory_mib    INTEGER NOT NULL,
    default_disk_gib      INTEGER NOT NULL,
    max_cpus              INTEGER NOT NULL,
    max_memory_mib        INTEGER NOT NULL,
    max_disk_gib          INTEGER NOT NULL,
    shutdown_timeout_secs INTEGER NOT NULL,
    enabled               INTEGER NOT NULL DEFAULT 1,
    created_at            INTEGER NOT NULL
);

CREATE TABLE requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    template_id INTEGER NOT NULL REFERENCES templates (id),
    name        TEXT    NOT NULL,
    cpus        INTEGER NOT NULL,
    memory_mib  INTEGER NOT NULL,
    disk_gib    INTEGER NOT NULL,
    purpose     TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled')),
    reason      TEXT,
    decided_by  INTEGER REFERENCES users (id),
    decided_at  INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX requests_by_user ON requests (user_id, state);
CREATE INDEX requests_by_state ON requests (state);

CREATE TABLE machines (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- UNIQUE: one machine per request, whatever races an approval may meet.
    request_id  INTEGER NOT NULL UNIQUE REFERENCES requests (id),
    owner_id    INTEGER NOT NULL REFERENCES users (id),
    template_id INTEGER NOT NULL REFERENCES templates (id),
    provider    TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    cpus        INTEGER NOT NULL,
    memory_mib  INTEGER NOT NULL,
    disk_gib    INTEGER NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('provisioning', 'running', 'stopped', 'failed', 'deleting', 'deleted')),
    node        TEXT,
    external_id TEXT,
    address     TEXT,
    login_name  TEXT,
    -- The guest password, encrypted by the provisioning engine; never stored in clear.
    secret_enc  BLOB,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX machines_by_owner ON machines (owner_id, state);

CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL CHECK (kind IN ('provision', 'start', 'shutdown', 'stop', 'reboot', 'delete', 'reconcile')),
    machine_id  INTEGER REFERENCES machines (id),
    state       TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    progress    INTEGER NOT NULL DEFAULT 0,
    message     TEXT    NOT NULL DEFAULT '',
    error       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    -- Queue bookkeeping for workers: earliest next try, and who holds the job until when.
    run_after   INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX jobs_queue ON jobs (state, run_after);
CREATE INDEX jobs_by_machine ON jobs (machine_id);

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    actor       TEXT    NOT NULL,
    ip          TEXT,
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL,
    object_id   INTEGER,
    detail      TEXT    NOT NULL DEFAULT ''
);
