-- Single sign-on with OpenID Connect: accounts of source 'oidc', and the provider identities
-- (issuer + subject, never an e-mail address) each account signs in as. The PostgreSQL twin of
-- sqlite/0013, which moves `users.source` to a new column; here its CHECK changes in place.

ALTER TABLE users DROP CONSTRAINT users_source_check;
ALTER TABLE users ADD CONSTRAINT users_source_check CHECK (source IN ('local', 'ldap', 'oidc'));

CREATE TABLE oidc_identities (
    issuer     TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_by_user ON oidc_identities (user_id);
