-- The schema of a journal made by rectify at commit ecddee8 journal: lock the hosts a run changes, not the inventory's file name
-- (the tables as that build created them, read back from sqlite_master).
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE runs (
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
CREATE TABLE changes (
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
CREATE INDEX changes_run ON changes(run_id);
CREATE TABLE locks (
	name     TEXT PRIMARY KEY,
	run_id   INTEGER NOT NULL,
	user     TEXT NOT NULL,
	machine  TEXT NOT NULL,
	pid      INTEGER NOT NULL,
	acquired TEXT NOT NULL
);
CREATE TABLE drift (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	playbook       TEXT NOT NULL,
	address        TEXT NOT NULL,
	step           TEXT NOT NULL,
	host           TEXT NOT NULL,
	action         TEXT NOT NULL,
	object         TEXT NOT NULL DEFAULT '',
	first_seen     TEXT NOT NULL,
	last_seen      TEXT NOT NULL,
	last_run_id    INTEGER NOT NULL,
	resolved       TEXT,
	flapping       INTEGER NOT NULL DEFAULT 0,
	flapping_since TEXT
);
CREATE UNIQUE INDEX drift_open ON drift(playbook, address) WHERE resolved IS NULL;
CREATE INDEX drift_first_seen ON drift(first_seen);
CREATE TABLE drift_corrections (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	drift_id INTEGER NOT NULL REFERENCES drift(id),
	run_id   INTEGER NOT NULL,
	time     TEXT NOT NULL,
	status   TEXT NOT NULL,
	error    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX drift_corrections_drift ON drift_corrections(drift_id);
CREATE TABLE drift_reviews (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	playbook TEXT NOT NULL,
	address  TEXT NOT NULL,
	time     TEXT NOT NULL,
	user     TEXT NOT NULL
);
CREATE TABLE host_locks (
	host     TEXT PRIMARY KEY,
	run_id   INTEGER NOT NULL,
	user     TEXT NOT NULL,
	machine  TEXT NOT NULL,
	pid      INTEGER NOT NULL,
	acquired TEXT NOT NULL,
	expires  TEXT NOT NULL
);
CREATE INDEX host_locks_run ON host_locks(run_id);
INSERT INTO meta(key, value) VALUES ('schema_version', '1');
