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
// made by an older build allowed others.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	switch {
	case errors.Is(err, fs.ErrExist):
	case err != nil:
		return fmt.Errorf("create %s: %w", path, err)
	default:
		if err := f.Close(); err != nil {
			return err
		}
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if st.Mode().Perm()&^fileMode != 0 {
			if err := os.Chmod(p, fileMode); err != nil {
				return fmt.Errorf("make %s readable by its owner only: %w", p, err)
			}
		}
	}
	return nil
}
