package ops

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// libraryOf builds a script directory from file texts keyed by their path
// below it ("x.ps1", "lib/json.ps1").
func libraryOf(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{"s/lib": {Mode: fs.ModeDir | 0o755}}
	for name, text := range files {
		fsys["s/"+name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// TestComposeAssemblesHelpers checks the assembled text: the header, then
// each helper once, after the helpers it uses, then the op's code.
func TestComposeAssemblesHelpers(t *testing.T) {
	fsys := libraryOf(map[string]string{
		"x.ps1": "# rectify:op x v3\n# rectify:uses args, b, a\n# Doc line.\n$r = A-Thing\nB-Thing $r\n",
		"y.ps1": "# rectify:op y v1\n# No helpers.\nWrite-Output 1\n",
		// a uses c; b uses c too: c comes once, before a and b's first use.
		"lib/args.ps1": "param([string]$ArgsBase64)\n",
		"lib/a.ps1":    "# rectify:uses c\n\nfunction A-Thing { C-Thing }\n\n",
		"lib/b.ps1":    "# rectify:uses c\nfunction B-Thing($x) { C-Thing }\n",
		"lib/c.ps1":    "function C-Thing { 1 }\n",
	})
	lib, err := loadLibrary(fsys, "s")
	if err != nil {
		t.Fatal(err)
	}
	want := "# rectify:op x v3\n# rectify:uses args, b, a\n# Doc line.\n" +
		"param([string]$ArgsBase64)\n\n" +
		"function C-Thing { 1 }\n\n" +
		"function B-Thing($x) { C-Thing }\n\n" +
		"function A-Thing { C-Thing }\n\n" +
		"$r = A-Thing\nB-Thing $r\n"
	if diff := cmp.Diff(Script{Op: "x", Version: 3, Text: want}, lib["x"]); diff != "" {
		t.Errorf("assembled x (-want +got):\n%s", diff)
	}
	if got := lib["y"].Text; got != "# rectify:op y v1\n# No helpers.\nWrite-Output 1\n" {
		t.Errorf("a script without helpers changed on loading:\n%s", got)
	}
	// The same sources give the same text on every load.
	again, err := loadLibrary(fsys, "s")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(lib, again); diff != "" {
		t.Errorf("a second load differs (-first +second):\n%s", diff)
	}
}

// TestComposeRefusesBadUses: every mistake in declaring helpers fails the
// load, with an error that names the file and the helper.
func TestComposeRefusesBadUses(t *testing.T) {
	op := func(uses string) string { return "# rectify:op x v1\n" + uses + "\nWrite-Output 1\n" }
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"unknown helper", map[string]string{"x.ps1": op("# rectify:uses json, jsno"), "lib/json.ps1": "function J {}\n"},
			[]string{"x.ps1", `"jsno"`, "no helper", "the helpers are json"}},
		{"unknown helper of a helper", map[string]string{"x.ps1": op("# rectify:uses a"), "lib/a.ps1": "# rectify:uses gone\nfunction A {}\n"},
			[]string{`a (used by x.ps1) uses "gone"`}},
		{"cycle", map[string]string{
			"x.ps1":     op("# rectify:uses a"),
			"lib/a.ps1": "# rectify:uses b\nfunction A {}\n",
			"lib/b.ps1": "# rectify:uses c\nfunction B {}\n",
			"lib/c.ps1": "# rectify:uses a\nfunction C {}\n",
		}, []string{"x.ps1", "cycle", "a -> b -> c -> a"}},
		{"helper using itself", map[string]string{"x.ps1": op("# rectify:uses a"), "lib/a.ps1": "# rectify:uses a\nfunction A {}\n"},
			[]string{"cycle", "a -> a"}},
		{"args not first", map[string]string{"x.ps1": op("# rectify:uses json, args"), "lib/json.ps1": "function J {}\n", "lib/args.ps1": "param($A)\n"},
			[]string{"x.ps1", "args must be the first helper"}},
		{"helper using args", map[string]string{"x.ps1": op("# rectify:uses args, a"), "lib/a.ps1": "# rectify:uses args\nfunction A {}\n", "lib/args.ps1": "param($A)\n"},
			[]string{"lib/a.ps1", "cannot use args"}},
		{"named twice", map[string]string{"x.ps1": op("# rectify:uses a, a"), "lib/a.ps1": "function A {}\n"},
			[]string{"x.ps1", "a twice"}},
		{"empty name", map[string]string{"x.ps1": op("# rectify:uses a,,"), "lib/a.ps1": "function A {}\n"},
			[]string{"x.ps1", "empty helper"}},
		{"empty list", map[string]string{"x.ps1": op("# rectify:uses")},
			[]string{"x.ps1", "empty helper"}},
		{"bad name", map[string]string{"x.ps1": op("# rectify:uses Json")},
			[]string{"x.ps1", `"Json" is not a helper name`}},
		{"uses line further down", map[string]string{"x.ps1": op("# Doc.\n# rectify:uses a"), "lib/a.ps1": "function A {}\n"},
			[]string{"x.ps1", "must be the line after the marker"}},
		{"helper's uses line further down", map[string]string{"x.ps1": op("# rectify:uses a"), "lib/a.ps1": "function A {}\n# rectify:uses b\n", "lib/b.ps1": "function B {}\n"},
			[]string{"lib/a.ps1", "must be the line after the marker (ops) or the first line (helpers)"}},
		{"empty helper", map[string]string{"x.ps1": op("# rectify:uses a"), "lib/a.ps1": "\n\n"},
			[]string{"lib/a.ps1", "no code"}},
		{"helper file name", map[string]string{"x.ps1": op(""), "lib/Big-Name.ps1": "function B {}\n"},
			[]string{"lib/Big-Name.ps1", "not a helper name"}},
		{"op in lib", map[string]string{"x.ps1": op(""), "lib/a.ps1": "# rectify:op a v1\nfunction A {}\n"},
			[]string{"lib/a.ps1", "carries no op marker"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadLibrary(libraryOf(tt.files), "s")
			if err == nil {
				t.Fatal("the library loaded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
