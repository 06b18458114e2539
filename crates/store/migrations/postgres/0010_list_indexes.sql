-- Lists are read a page at a time (issue 10). Reconciliation reads one provider's machines; a
-- user's jobs are found through their machines (machines_by_owner, jobs_by_machine).
CREATE INDEX machines_by_provider ON machines (provider, state);
-- The audit log filtered by who acted.
CREATE INDEX audit_by_actor ON audit_events (actor_id);
-- The default order of the requests list, pending first and newest first, read from an index
-- rather than sorted: an administrator's first page then stops after fifty rows.
CREATE INDEX requests_pending_first ON requests ((state = 'pending') DESC, id DESC);
