package ops

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// digestsFile lists the sha256 of every op's assembled script.
var digestsFile = filepath.Join("testdata", "scripts.sha256")

// TestScriptDigests pins what is sent: the sha256 of each op's script as
// the library assembles it. A change to an op or to a helper it uses
// changes its line here, so review sees every op whose text on the wire
// changed. Regenerate with go test ./ops -run TestScriptDigests -update.
func TestScriptDigests(t *testing.T) {
	var b strings.Builder
	b.WriteString("# sha256 of each op's script as the library assembles it (the text a Shell\n" +
		"# sends), then the op, its version and the size in bytes. Regenerate with\n" +
		"# go test ./ops -run TestScriptDigests -update.\n")
	for _, op := range Ops() {
		s := MustScript(op)
		sum := sha256.Sum256([]byte(s.Text))
		fmt.Fprintf(&b, "%s  %s v%d %d\n", hex.EncodeToString(sum[:]), op, s.Version, len(s.Text))
	}
	if *update {
		if err := os.WriteFile(digestsFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(digestsFile)
	if err != nil {
		t.Fatalf("%v (run go test ./ops -run TestScriptDigests -update)", err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("assembled scripts differ from %s (-golden +now); review the change and run go test ./ops -run TestScriptDigests -update:\n%s", digestsFile, diff)
	}
}
