package journal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// SQLite's primary result codes for a damaged file
// (https://www.sqlite.org/rescode.html).
const (
	sqliteCorrupt = 11 // SQLITE_CORRUPT: the database disk image is malformed
	sqliteNotADB  = 26 // SQLITE_NOTADB: the file is not a database
)

// DamagedError says that a journal's file exists but cannot be read as a
// journal: truncated, overwritten, or not a database at all. rectify
// refuses to work without the record it holds (which changes were made, and
// which temporary values are due to be reverted), so every command that
// uses the journal stops with this error.
type DamagedError struct {
	Path string
	// Problem says what is wrong, in SQLite's words.
	Problem string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("the journal %s cannot be read: %s; rectify does not run without its record of earlier changes: "+
		"restore the file from a backup (moving it aside starts an empty journal and forgets, among others, "+
		"the temporary values due to be reverted)", e.Path, e.Problem)
}

// emptyGrace is how long Open waits for an empty journal file to be
// written: another process may have created it a moment ago and be
// writing its first page.
const emptyGrace = 2 * time.Second

// checkNotEmpty refuses an existing journal file of zero bytes whose
// write-ahead log holds nothing either, once emptyGrace has passed without
// either growing: SQLite would take it for a new database and rectify would
// forget every earlier change.
func checkNotEmpty(ctx context.Context, path string) error {
	deadline := time.Now().Add(emptyGrace)
	for {
		st, err := os.Stat(path)
		if err != nil || !st.Mode().IsRegular() || st.Size() > 0 {
			return nil
		}
		if wal, err := os.Stat(path + "-wal"); err == nil && wal.Size() > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return &DamagedError{Path: path, Problem: "the file is empty (if it never held a journal, delete it)"}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("open journal %s: %w", path, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// damaged returns a DamagedError for err when SQLite reports the file
// corrupt or not a database, and nil otherwise.
func damaged(path string, err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return nil
	}
	switch se.Code() & 0xff {
	case sqliteCorrupt, sqliteNotADB:
		return &DamagedError{Path: path, Problem: se.Error()}
	}
	return nil
}

// maxProblems bounds how many of quick_check's findings an error repeats.
const maxProblems = 3

// checkIntact runs SQLite's quick_check over the whole file: a page lost
// to truncation or overwritten in a table or index the command would read
// later is found before anything is planned or changed.
func (j *Journal) checkIntact(ctx context.Context) error {
	rows, err := j.query(ctx, `PRAGMA quick_check(`+fmt.Sprint(maxProblems)+`)`)
	if err != nil {
		if d := damaged(j.path, err); d != nil {
			return d
		}
		return fmt.Errorf("check journal %s: %w", j.path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return fmt.Errorf("check journal %s: %w", j.path, err)
		}
		if p != "ok" {
			problems = append(problems, p)
		}
	}
	if err := rows.Err(); err != nil {
		if d := damaged(j.path, err); d != nil {
			return d
		}
		return fmt.Errorf("check journal %s: %w", j.path, err)
	}
	if len(problems) > 0 {
		return &DamagedError{Path: j.path, Problem: strings.Join(problems, "; ")}
	}
	return nil
}
