-- Idle shutdown asks whether a console was opened on a machine lately: its audit events, by object.
CREATE INDEX audit_by_object ON audit_events (object_type, object_id, at);
