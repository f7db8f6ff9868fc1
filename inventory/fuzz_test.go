package inventory

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// malformed returns inputs that once broke parsers: nesting deep enough to
// exhaust a recursive descent, binary garbage, a truncated file, and a file
// with thousands of clashing hosts.
func malformed(t testing.TB) map[string][]byte {
	valid, err := os.ReadFile("testdata/valid/corp.hcl")
	if err != nil {
		t.Fatal(err)
	}
	garbage := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	// Without the nesting check, 200000 levels exhaust the Go stack in
	// HCL's recursive parser (a fatal error, not a panic); 20000 levels are
	// far beyond MaxNesting at a tenth of the cost.
	const depth = 20000
	return map[string][]byte{
		"truncated":      valid[:len(valid)/2],
		"garbage":        garbage,
		"nul bytes":      bytes.Repeat([]byte{0}, 4096),
		"deep list":      []byte("host \"a\" { vars = " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + " }\n"),
		"deep object":    []byte("host \"a\" { vars = " + strings.Repeat("{a=", depth) + strings.Repeat("}", depth) + " }\n"),
		"deep parens":    []byte("host \"a\" { fqdn = " + strings.Repeat("(", depth) + "1" + strings.Repeat(")", depth) + " }\n"),
		"deep unclosed":  []byte("host \"a\" { vars = " + strings.Repeat("[{(", depth)),
		"deep blocks":    []byte(strings.Repeat("host \"a\" {\n", depth)),
		"deep bang":      []byte("host \"a\" { fqdn = " + strings.Repeat("!", depth) + "true }\n"),
		"deep negation":  []byte("host \"a\" { fqdn = (" + strings.Repeat("-\n", depth) + "1) }\n"),
		"deep condition": []byte("host \"a\" { fqdn = " + strings.Repeat("true ? 1 : ", depth) + "2 }\n"),
		"deep template":  []byte("host \"a\" { fqdn = \"" + strings.Repeat("${\"", depth/4) + " }\n"),
		"many hosts":     manyHosts(2000),
	}
}

func manyHosts(n int) []byte {
	var b strings.Builder
	for i := range n {
		b.WriteString("host \"h")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("\" { fqdn = \"h.example.com\" }\n")
	}
	return []byte(b.String())
}

// TestLoadMalformed checks that malformed input gives diagnostics, never a
// panic, and that a file over the limit is refused before it is parsed.
func TestLoadMalformed(t *testing.T) {
	dir := t.TempDir()
	for name, src := range malformed(t) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".hcl")
			if err := os.WriteFile(path, src, 0o600); err != nil {
				t.Fatal(err)
			}
			inv, diags := Load(path, lookupTestEnv)
			if !diags.HasErrors() || inv != nil {
				t.Fatalf("Load gave no error for %s", name)
			}
		})
	}
	t.Run("10 MB", func(t *testing.T) {
		path := filepath.Join(dir, "ten.hcl")
		if err := os.WriteFile(path, bytes.Repeat([]byte("host \"a\" {}\n"), 10<<20/12), 0o600); err != nil {
			t.Fatal(err)
		}
		_, diags := Load(path, lookupTestEnv)
		if !diags.HasErrors() || !strings.Contains(diags[0].Detail, "larger than") {
			t.Fatalf("Load(10 MB) = %v", diags)
		}
	})
}

// FuzzLoad feeds arbitrary bytes to Load: it must return, with diagnostics
// or an inventory, and never panic.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.hcl")
	more, _ := filepath.Glob("testdata/*.hcl")
	for _, p := range append(files, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for name, src := range malformed(f) {
		if len(src) < 64<<10 && name != "garbage" {
			f.Add(src)
		}
	}
	dir := f.TempDir()
	// The fixtures' ca_file and file() paths resolve against the fuzz
	// directory; give them something to find.
	if err := os.MkdirAll(filepath.Join(dir, "pki"), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(dir, "valid", "fuzz.hcl")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, src, 0o600); err != nil {
			t.Fatal(err)
		}
		inv, diags := Load(path, lookupTestEnv)
		if inv == nil && !diags.HasErrors() {
			t.Fatalf("Load returned neither an inventory nor an error")
		}
		if inv != nil {
			_ = inv.Hosts()
			_, _ = inv.Select("")
			_, _ = inv.MarshalJSON()
		}
	})
}
