//go:build linux

package ldap

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/actions"
)

// The bounds every hostile-server case must stay within: the operation's
// own heap growth, the child process's peak resident memory (which
// includes the Go runtime, the test binary and, under -race, the race
// detector's shadow memory), and the time past the operation's timeout.
const (
	maxHeapGrowth = 48 << 20
	maxRSS        = 160 << 20
	maxRSSRace    = 640 << 20
	timeSlack     = 1500 * time.Millisecond
	// killRSS stops a child whose memory runs away, so that a regression
	// fails the test instead of exhausting the machine.
	killRSS = 1 << 30
)

// TestHostileServerCostsBoundedMemoryAndTime runs one operation per case
// against a hostile LDAP server, each in a process of its own, and checks
// that it fails with the right classified error naming the server and the
// bound, within the operation's timeout, and with a few MB of heap.
func TestHostileServerCostsBoundedMemoryAndTime(t *testing.T) {
	const timeout = 2 * time.Second
	tests := []struct {
		name, mode, op string
		plain          bool
		cancelAfter    time.Duration
		// timeout, when set, replaces the default, for cases that read
		// many pages (slow under the race detector).
		timeout     time.Duration
		maxResult   int64
		maxEntries  int
		wantKind    actions.Kind
		wantLimit   string // a LimitError's Limit
		wantText    string // in the error
		wantEntries int    // with no error
	}{
		{name: "well-formed answer", mode: modeWellFormed, op: "search", wantEntries: 10},
		{name: "pages adding up past the response bound", mode: modeManySmallPages, op: "pages", timeout: 30 * time.Second, wantEntries: 10_000},
		{name: "endless entries, whole result", mode: modeEndlessEntries, op: "search", wantKind: actions.KindProtocol, wantLimit: "PageSize"},
		{name: "endless entries, page by page", mode: modeEndlessEntries, op: "pages", wantKind: actions.KindProtocol, wantLimit: "PageSize"},
		{name: "results past the page size", mode: modePastPageSize, op: "search", wantKind: actions.KindProtocol, wantLimit: "PageSize"},
		{name: "a page of fat entries", mode: modeFatPage, op: "search", wantKind: actions.KindProtocol, wantLimit: "MaxResponseBytes"},
		{name: "endless pages, whole result", mode: modeEndlessPages, op: "search", timeout: 30 * time.Second, maxResult: 1 << 20, wantKind: actions.KindProtocol, wantLimit: "MaxResultBytes"},
		{name: "endless pages, page by page", mode: modeEndlessPages, op: "pages", timeout: 30 * time.Second, maxEntries: 5000, wantKind: actions.KindProtocol, wantLimit: "MaxEntries"},
		{name: "a message announcing 1.9 GB", mode: modeHugeMessage, op: "search", wantKind: actions.KindProtocol, wantLimit: "MaxMessageBytes"},
		{name: "pages adding up past the response bound, message by message", mode: modeManySmallPages, op: "messages", timeout: 30 * time.Second, wantEntries: 10_000},
		{name: "endless entries, message by message", mode: modeEndlessEntries, op: "messages", wantKind: actions.KindProtocol, wantLimit: "PageSize"},
		{name: "a page of fat entries, message by message", mode: modeFatPage, op: "messages", wantKind: actions.KindProtocol, wantLimit: "MaxResponseBytes"},
		{name: "endless pages, message by message", mode: modeEndlessPages, op: "messages", timeout: 30 * time.Second, maxEntries: 5000, wantKind: actions.KindProtocol, wantLimit: "MaxEntries"},
		{name: "a message announcing 1.9 GB, message by message", mode: modeHugeMessage, op: "messages", wantKind: actions.KindProtocol, wantLimit: "MaxMessageBytes"},
		{name: "a value announcing 1.9 GB, message by message", mode: modeHugeValue, op: "messages", wantKind: actions.KindProtocol, wantText: "malformed answer: an element of 1900000000 bytes"},
		{name: "an entry of the wrong shape", mode: modeBadEntry, op: "search", wantKind: actions.KindProtocol, wantText: "malformed answer: an attribute's values with identifier 0x30"},
		{name: "an entry of the wrong shape, message by message", mode: modeBadEntry, op: "messages", wantKind: actions.KindProtocol, wantText: "malformed answer: an attribute's values with identifier 0x30"},
		{name: "a value announcing 1.9 GB", mode: modeHugeValue, op: "search", wantKind: actions.KindProtocol, wantText: "malformed answer: an element of 1900000000 bytes"},
		{name: "nesting without end", mode: modeDeepNesting, op: "search", wantKind: actions.KindProtocol, wantText: "nested more than 64 deep"},
		{name: "garbage", mode: modeGarbage, op: "search", wantKind: actions.KindProtocol, wantText: "not a SEQUENCE"},
		{name: "a bind answer announcing 1.9 GB", mode: modeHugeBind, op: "rootdse", wantKind: actions.KindProtocol, wantLimit: "MaxMessageBytes"},
		{name: "a StartTLS answer announcing 1.9 GB", mode: modeHugeStartTLS, op: "rootdse", plain: true, wantKind: actions.KindProtocol, wantLimit: "MaxMessageBytes"},
		{name: "trickling bytes", mode: modeTrickle, op: "search", wantKind: actions.KindTimeout},
		{name: "never answering the search", mode: modeSilent, op: "search", wantKind: actions.KindTimeout},
		{name: "never answering the bind", mode: modeSilentBind, op: "rootdse", wantKind: actions.KindTimeout},
		{name: "cancelled while the server trickles", mode: modeTrickle, op: "search", cancelAfter: 300 * time.Millisecond, wantKind: actions.KindCanceled},
		{name: "cancelled while the server is silent", mode: modeSilent, op: "pages", cancelAfter: 300 * time.Millisecond, wantKind: actions.KindCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startHostile(t, tt.mode, tt.plain)
			timeout := cmp.Or(tt.timeout, timeout)
			spec := childSpec{URL: srv.url(), StartTLS: tt.plain, CAFile: srv.caFile, Op: tt.op, Timeout: timeout, CancelAfter: tt.cancelAfter,
				MaxResultBytes: tt.maxResult, MaxEntries: tt.maxEntries}
			res, maxrss := runHostileChild(t, spec, timeout+10*time.Second)
			t.Logf("%s: %s after %v, heap +%.1f MB, peak RSS %.1f MB", tt.mode, strings.TrimSpace(string(res.Kind)+" "+res.Limit), res.Elapsed.Round(time.Millisecond),
				float64(res.PeakHeap-min(res.BaseHeap, res.PeakHeap))/(1<<20), float64(maxrss)/(1<<20))

			if tt.wantKind == "" {
				if res.Error != "" || res.Entries != tt.wantEntries {
					t.Fatalf("got %d entries, error %q; want %d entries", res.Entries, res.Error, tt.wantEntries)
				}
			} else {
				if res.Kind != tt.wantKind || res.Class == "" {
					t.Errorf("error %q of kind %q, want %q", res.Error, res.Kind, tt.wantKind)
				}
				if res.Host != srv.addr() || !strings.Contains(res.Error, srv.addr()) {
					t.Errorf("error %q does not name the server %s", res.Error, srv.addr())
				}
				if tt.wantLimit != "" && (res.Limit != tt.wantLimit || !strings.Contains(res.Error, tt.wantLimit)) {
					t.Errorf("error %q names limit %q, want %s", res.Error, res.Limit, tt.wantLimit)
				}
				if !strings.Contains(res.Error, tt.wantText) {
					t.Errorf("error %q lacks %q", res.Error, tt.wantText)
				}
				if tt.wantKind == actions.KindProtocol && res.Class != "permanent" {
					t.Errorf("class %s for a refused answer, want permanent", res.Class)
				}
			}
			limit := timeout + timeSlack
			if tt.cancelAfter > 0 {
				limit = tt.cancelAfter + timeSlack
			}
			if res.Elapsed > limit {
				t.Errorf("took %v, over %v", res.Elapsed, limit)
			}
			if growth := res.PeakHeap - min(res.BaseHeap, res.PeakHeap); growth > maxHeapGrowth {
				t.Errorf("the heap grew by %d bytes, over %d", growth, maxHeapGrowth)
			}
			bound := uint64(maxRSS)
			if raceEnabled {
				bound = maxRSSRace
			}
			if maxrss > bound {
				t.Errorf("peak RSS %d bytes, over %d", maxrss, bound)
			}
		})
	}
}

// runHostileChild runs spec in a child process and returns its result and
// its peak resident memory in bytes. A child that outgrows killRSS or
// outlives deadline is killed and the test fails.
func runHostileChild(t *testing.T, spec childSpec, deadline time.Duration) (childResult, uint64) {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHostileChild+"="+string(raw))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	started := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("child: %v\n%s", err, stderr.String())
			}
			var res childResult
			if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
				t.Fatalf("child output %q: %v\n%s", stdout.String(), err, stderr.String())
			}
			ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			var maxrss uint64
			if ru != nil {
				maxrss = uint64(ru.Maxrss) << 10 // kilobytes on Linux
			}
			return res, maxrss
		case <-tick.C:
			if rss := residentBytes(cmd.Process.Pid); rss > killRSS {
				cmd.Process.Kill()
				<-exited
				t.Fatalf("the child's memory ran away: %d bytes resident after %v", rss, time.Since(started))
			}
			if time.Since(started) > deadline {
				cmd.Process.Kill()
				<-exited
				t.Fatalf("the child ran for more than %v", deadline)
			}
		}
	}
}

// residentBytes reads a process's resident memory from /proc.
func residentBytes(pid int) uint64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
