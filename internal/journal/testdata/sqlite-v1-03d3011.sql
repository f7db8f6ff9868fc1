-- The schema of a journal made by rectify at commit 03d3011 Add the journal: runs, changes written before and after, locks
-- (the tables as that build created them, read back from sqlite_master).
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	kind             TEXT NOT NULL,
	started          TEXT NOT NULL,
	finished         TEXT,
	user             TEXT NOT NULL,
	machine          TEXT NOT NULL,
	pid              INTEGER NOT NULL,
	playbook         TEXT NOT NULL,
	playbook_digest  TEXT NOT NULL,
	inventory        TEXT NOT NULL,
	inventory_digest TEXT NOT NULL,
	plan_digest      TEXT NOT NULL,
	window_override  TEXT NOT NULL DEFAULT '',
	outcome          TEXT NOT NULL DEFAULT 'running',
	summary          TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS changes (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	run_id    INTEGER NOT NULL REFERENCES runs(id),
	address   TEXT NOT NULL,
	step      TEXT NOT NULL,
	host      TEXT NOT NULL,
	action    TEXT NOT NULL,
	object    TEXT NOT NULL,
	planned   TEXT NOT NULL,
	status    TEXT NOT NULL,
	error     TEXT NOT NULL DEFAULT '',
	after     TEXT NOT NULL DEFAULT '',
	undo      TEXT NOT NULL DEFAULT '',
	messages  TEXT NOT NULL DEFAULT '',
	started   TEXT NOT NULL,
	finished  TEXT
);
CREATE INDEX IF NOT EXISTS changes_run ON changes(run_id);
CREATE TABLE IF NOT EXISTS locks (
	name     TEXT PRIMARY KEY,
	run_id   INTEGER NOT NULL,
	user     TEXT NOT NULL,
	machine  TEXT NOT NULL,
	pid      INTEGER NOT NULL,
	acquired TEXT NOT NULL
);
INSERT INTO meta(key, value) VALUES ('schema_version', '1');
