package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// fileMode is the mode of the journal's files, as of saved plans.
const fileMode fs.FileMode = 0o600

// ownerOnly creates the journal file at path with fileMode if it does not
// exist, so that SQLite, which gives its -wal and -shm files the mode of
// the database file, creates them so too; and it takes away what a journal
// made by an older build allowed others. It reports whether it created
// the file: a file it did not create and finds empty may be a damaged one.
func ownerOnly(path string) (created bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	switch {
	case errors.Is(err, fs.ErrExist):
	case err != nil:
		return false, fmt.Errorf("create %s: %w", path, err)
	default:
		created = true
		if err := f.Close(); err != nil {
			return true, err
		}
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return created, err
		}
		if st.Mode().Perm()&^fileMode != 0 {
			if err := os.Chmod(p, fileMode); err != nil {
				return created, fmt.Errorf("make %s readable by its owner only: %w", p, err)
			}
		}
	}
	return created, nil
}
