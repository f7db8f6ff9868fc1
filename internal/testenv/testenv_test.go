package testenv

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is a testing.TB that records how a test ended.
type recorder struct {
	testing.TB
	ended string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.ended = "fail: " + fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.ended = "skip: " + fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a recorder in its own goroutine, as the testing package
// runs a test, and returns how it ended ("" when it returned).
func run(f func(testing.TB)) string {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.ended
}

func TestRequire(t *testing.T) {
	tests := []struct {
		ci   string
		why  string
		want string
	}{
		{ci: "", why: "", want: ""},
		{ci: "true", why: "", want: ""},
		{ci: "", why: "samba is not installed", want: "skip: samba unavailable: samba is not installed"},
		{ci: "false", why: "samba is not installed", want: "skip: samba unavailable: samba is not installed"},
		{ci: "0", why: "samba is not installed", want: "skip: samba unavailable: samba is not installed"},
		{ci: "true", why: "samba is not installed", want: "fail: samba is required under CI: samba is not installed"},
		{ci: "1", why: "samba is not installed", want: "fail: samba is required under CI: samba is not installed"},
		// Services that set CI to something other than a boolean still mean it.
		{ci: "woodpecker", why: "samba is not installed", want: "fail: samba is required under CI: samba is not installed"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("CI=%q/%s", tt.ci, tt.why), func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			got := run(func(tb testing.TB) { Require(tb, "samba", tt.why) })
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookPath(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("CI", "true")
	got := run(func(tb testing.TB) { LookPath(tb, "rectify-no-such-tool", "nothing") })
	if !strings.HasPrefix(got, "fail: rectify-no-such-tool is required under CI: ") || !strings.HasSuffix(got, "(Debian package nothing)") {
		t.Errorf("a missing tool under CI ended the test with %q; want a failure naming the tool and how to install it", got)
	}
	t.Setenv("CI", "")
	if got := run(func(tb testing.TB) { LookPath(tb, "rectify-no-such-tool", "nothing") }); !strings.HasPrefix(got, "skip: ") {
		t.Errorf("a missing tool outside CI ended the test with %q; want a skip", got)
	}
}

func TestLookPathFound(t *testing.T) {
	t.Setenv("CI", "true")
	var p string
	if got := run(func(tb testing.TB) { p = LookPath(tb, "sh", "dash") }); got != "" || !strings.HasSuffix(p, "/sh") {
		t.Errorf("LookPath(sh) = %q, ended %q; want its path and the test running on", p, got)
	}
}

func TestPythonModule(t *testing.T) {
	t.Setenv("CI", "true")
	// false -c "import x" fails as an interpreter without the module does.
	f, why := Find("false", "coreutils")
	if why != "" {
		t.Fatal(why)
	}
	got := run(func(tb testing.TB) { PythonModule(tb, f, "rectify_no_such_module", "python3-nothing") })
	if !strings.HasPrefix(got, "fail: the python module rectify_no_such_module is required under CI: ") || !strings.Contains(got, "(Debian package python3-nothing)") {
		t.Errorf("a missing module under CI ended the test with %q; want a failure naming the module and its package", got)
	}
}
