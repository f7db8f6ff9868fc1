package playbooks

import (
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/playbooks/testactions"
)

// fixtureSources returns the bytes of every .hcl fixture.
func fixtureSources(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".hcl") {
			return err
		}
		b, err := os.ReadFile(path)
		out = append(out, b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// decodeBytes runs both stages over one file's bytes, with and without an
// inventory, and renders the diagnostics as the validate command does.
func decodeBytes(t testing.TB, src []byte) {
	reg := testactions.Registry()
	p, diags := loadSources(".", []string{"fuzz.hcl"}, map[string][]byte{"fuzz.hcl": src}, reg)
	_ = render(t, p, nil, diags)
	for _, in := range []EvalInput{{Hosts: testHosts(), Groups: testGroups}, {}} {
		r, more := p.Evaluate(in)
		if r == nil {
			t.Fatal("Evaluate returned no result")
		}
		_ = render(t, p, r, more)
	}
}

// FuzzLoad feeds arbitrary bytes to the decoder: it must never panic or
// hang, only report diagnostics.
func FuzzLoad(f *testing.F) {
	for _, src := range fixtureSources(f) {
		f.Add(src)
	}
	f.Add([]byte("a = " + strings.Repeat("[", 1000)))
	f.Add([]byte{0xff, 0xfe, 0x00, '{', '"'})
	f.Fuzz(func(t *testing.T, src []byte) {
		decodeBytes(t, src)
	})
}

// TestMalformedInput covers what the fuzzer might take long to find:
// truncated files, garbage, deep nesting and a huge file all give
// diagnostics, and no panic.
func TestMalformedInput(t *testing.T) {
	exchange, err := os.ReadFile("testdata/valid/exchange-454/steps.hcl")
	if err != nil {
		t.Fatal(err)
	}
	garbage := make([]byte, 64<<10)
	rand.New(rand.NewSource(1)).Read(garbage)
	tests := []struct {
		name string
		src  string
		// want is the summary of a diagnostic that must appear.
		want string
	}{
		{name: "garbage", src: string(garbage), want: ""},
		{name: "brackets", src: "a = " + strings.Repeat("[", 100_000), want: "Too deeply nested"},
		{name: "parentheses", src: "a = " + strings.Repeat("(", 100_000), want: "Too deeply nested"},
		{name: "braces", src: "a = " + strings.Repeat("{", 100_000), want: "Too deeply nested"},
		{name: "blocks", src: strings.Repeat("b {\n", 100_000), want: "Too deeply nested"},
		{name: "templates", src: "a = " + strings.Repeat(`"${`, 100_000), want: "Too deeply nested"},
		{name: "heredocs", src: strings.Repeat("a = <<EOT\n${", 50_000), want: "Too deeply nested"},
		{name: "nul bytes", src: "playbook \"p\" {\x00}\n", want: ""},
		{name: "huge", src: strings.Repeat("# padding\n", 1_100_000), want: "File too large"},
		{name: "many steps", src: strings.Repeat("step \"ad.spn\" \"s\" {\n targets = group.exchange\n depends_on = [step.s]\n}\n", 5000), want: "Duplicate step"},
	}
	for i := 1; i < len(exchange); i += 97 {
		tests = append(tests, struct{ name, src, want string }{name: "truncated", src: string(exchange[:i])})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "playbook.hcl")
			if err := os.WriteFile(path, []byte(tt.src), 0o600); err != nil {
				t.Fatal(err)
			}
			r, diags := Load(path, testactions.Registry(), EvalInput{Hosts: testHosts()})
			if !diags.HasErrors() {
				t.Fatalf("no error for malformed input")
			}
			if r == nil {
				t.Fatalf("no result")
			}
			if tt.want == "" {
				return
			}
			for _, d := range diags {
				if d.Summary == tt.want {
					return
				}
			}
			t.Errorf("no %q diagnostic among %d", tt.want, len(diags))
		})
	}
}
