-- Languages and mail (issue 14).

-- What each person chose on My account: language (NULL: the browser's) and which mail they want.
CREATE TABLE user_preferences (
    user_id               INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    language              TEXT CHECK (language IN ('en', 'it', 'fr', 'de')),
    notify_new_request    INTEGER NOT NULL,
    notify_daily_digest   INTEGER NOT NULL,
    notify_decision       INTEGER NOT NULL,
    notify_machine_ready  INTEGER NOT NULL,
    notify_job_failed     INTEGER NOT NULL,
    notify_lease          INTEGER NOT NULL
);

-- Notifications to send by mail, written in the transaction of the event that causes them and
-- sent by the engine. `state`: pending (due at next_attempt_at), sent, dropped (not wanted, no
-- address), failed (given up after retries; administrators see these). `notice_id`: the lease
-- notice a lease mail tells of.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    recipient_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    request_id      INTEGER REFERENCES requests (id) ON DELETE CASCADE,
    machine_id      INTEGER REFERENCES machines (id) ON DELETE CASCADE,
    job_id          INTEGER REFERENCES jobs (id) ON DELETE CASCADE,
    notice_id       INTEGER REFERENCES lease_notices (id) ON DELETE CASCADE,
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'dropped', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    message_id      TEXT,
    created_at      INTEGER NOT NULL,
    done_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_digests ON outbox (recipient_id, kind, created_at);
