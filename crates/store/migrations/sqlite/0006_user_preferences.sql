-- What each person chose on My account: language (NULL: the browser's) and which mail they want.

CREATE TABLE user_preferences (
    user_id               INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    language              TEXT CHECK (language IN ('en', 'it', 'fr', 'de')),
    notify_new_request    INTEGER NOT NULL,
    notify_daily_digest   INTEGER NOT NULL,
    notify_decision       INTEGER NOT NULL,
    notify_machine_ready  INTEGER NOT NULL,
    notify_job_failed     INTEGER NOT NULL
);
