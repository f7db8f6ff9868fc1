package ops

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readFixture reads a file under testdata.
func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withCRLF gives the text with Windows line endings, as a host prints it.
func withCRLF(text string) string {
	return strings.ReplaceAll(text, "\n", "\r\n")
}
