package examples

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
)

// Exchange454 is the exchange-454 example playbook, embedded so that
// "rectify demo" runs it from any directory.
//
//go:embed exchange-454/*.hcl
var Exchange454 embed.FS

// WriteExchange454 writes the example playbook's files into dir, creating
// it if needed.
func WriteExchange454(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return fs.WalkDir(Exchange454, "exchange-454", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := Exchange454.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o644)
	})
}
