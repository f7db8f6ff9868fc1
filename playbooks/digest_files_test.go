package playbooks

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rectifyhq/rectify/actions"
)

func TestDigestMatchesLoadDir(t *testing.T) {
	dir := t.TempDir()
	src := "playbook \"p\" {\n  title = \"t\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, diags := LoadDir(dir, actions.NewRegistry())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got, err := Digest(dir)
	if err != nil || got != pb.Digest {
		t.Fatalf("Digest = %q, %v; LoadDir's digest is %q", got, err, pb.Digest)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src+"# edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if edited, _ := Digest(dir); edited == got {
		t.Error("an edited playbook has the same digest")
	}
	if _, err := Digest(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing playbook has a digest")
	}
}
