package hostile

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/lab"
)

// varFile returns n variable assignments, one a line.
func varFile(n int, format string) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, format, i)
	}
	return b.Bytes()
}

// measure runs fn and returns how long it took and how many bytes it
// allocated.
func measure(fn func()) (time.Duration, uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	fn()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return elapsed, after.TotalAlloc - before.TotalAlloc
}

// TestMillionEntryVarFile gives the example playbook a -var-file of a
// million entries (13 MiB): validate, plan and apply refuse it by its size
// before parsing it, with exit 1; nothing reaches the lab or the journal,
// and the time and memory each took are logged.
func TestMillionEntryVarFile(t *testing.T) {
	f := start(t, lab.KB979174())
	pb := f.writeExample(t)
	f.write(t, "million.vars", varFile(1_000_000, "v%07d = 1\n"))
	for _, cmd := range [][]string{
		{"validate", "-inventory", "inventory.hcl"},
		{"plan", "-inventory", "inventory.hcl", "-state", "journal.db"},
		{"apply", "-inventory", "inventory.hcl", "-state", "journal.db", "-auto-approve", "-window-override", "hostile test"},
	} {
		var got result
		elapsed, alloc := measure(func() { got = f.rectify(t, append(cmd, "-var-file", "million.vars", pb)...) })
		if got.code != 1 || !strings.Contains(got.stderr, "is larger than 1048576 bytes") {
			t.Errorf("%s: want exit 1 and the size limit: %s", cmd[0], got)
		}
		t.Logf("%s -var-file of 1e6 entries: %v, %.1f MiB allocated", cmd[0], elapsed.Round(time.Millisecond), float64(alloc)/(1<<20))
	}
	f.receivedNothing(t)
	if runs := f.runs(t, "journal.db"); len(runs) != 0 {
		t.Errorf("the journal holds runs: %+v", runs)
	}
}

// TestVarFileWarningsScaleLinearly checks that the work of reporting
// undeclared variables grows in proportion to their number. A var-file
// under the 1 MiB limit holds about 130,000 of them ("a1=1"), each a
// warning with a snippet; rendering costs O(file size) per warning today
// (HCL's diagnostic text writer scans the file from its start for each
// snippet), so such a file takes hours: 1,000 entries 4 s, 2,000 17 s,
// 4,000 59 s, 8,000 196 s on the reference machine. The test compares the
// bytes allocated for 250 and for 1,000 entries: 4x for linear work, 16x
// for quadratic.
func TestVarFileWarningsScaleLinearly(t *testing.T) {
	f := start(t, lab.KB979174())
	pb := f.writeExample(t)
	allocs := map[int]uint64{}
	for _, n := range []int{250, 1000} {
		name := fmt.Sprintf("undeclared-%d.vars", n)
		f.write(t, name, varFile(n, "a%d=1\n"))
		var got result
		elapsed, alloc := measure(func() { got = f.rectify(t, "validate", "-var-file", name, pb) })
		if got.code != 0 || strings.Count(got.stderr, "Warning: Value for undeclared variable") != n {
			t.Fatalf("validate with %d undeclared variables: exit %d, %d warnings", n, got.code, strings.Count(got.stderr, "Warning: Value for undeclared variable"))
		}
		allocs[n] = alloc
		t.Logf("validate with %d undeclared variables: %v, %.1f MiB allocated, %d bytes of warnings", n, elapsed.Round(time.Millisecond), float64(alloc)/(1<<20), len(got.stderr))
	}
	if ratio := float64(allocs[1000]) / float64(allocs[250]); ratio > 8 {
		t.Errorf("4x the undeclared variables allocate %.1fx the memory: reporting them is quadratic, so a 1 MiB var-file pins a CPU for hours", ratio)
	}
	f.receivedNothing(t)
}
