package ldap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/secret"
)

// envHostileChild carries the JSON childSpec of one operation that a test
// runs in a process of its own, so that the process's memory is the
// operation's.
const envHostileChild = "RECTIFY_LDAP_HOSTILE_CHILD"

// childSpec is one operation against one server.
type childSpec struct {
	URL      string        `json:"url"`
	StartTLS bool          `json:"start_tls"`
	CAFile   string        `json:"ca_file"`
	Op       string        `json:"op"` // search, pages, messages, rootdse
	Timeout  time.Duration `json:"timeout"`
	// CancelAfter cancels the operation's context after this long.
	CancelAfter time.Duration `json:"cancel_after"`
	// MaxResultBytes and MaxEntries set the bounds of a whole search;
	// zero keeps the defaults.
	MaxResultBytes int64 `json:"max_result_bytes"`
	MaxEntries     int   `json:"max_entries"`
}

// childResult is what the child reports on its standard output.
type childResult struct {
	Kind    actions.Kind  `json:"kind"`
	Class   string        `json:"class"`
	Host    string        `json:"host"`
	Error   string        `json:"error"`
	Limit   string        `json:"limit"`
	Elapsed time.Duration `json:"elapsed"`
	Entries int           `json:"entries"`
	// PeakHeap is the most heap the process held while the operation ran.
	PeakHeap uint64 `json:"peak_heap"`
	// BaseHeap is the heap held before it started.
	BaseHeap uint64 `json:"base_heap"`
}

// HostileChildRequested reports whether this test process was started to
// run one operation for a hostile-server test.
func HostileChildRequested() bool { return os.Getenv(envHostileChild) != "" }

// RunHostileChild runs the requested operation, prints its childResult
// and returns the process's exit code.
func RunHostileChild() int {
	var spec childSpec
	if err := json.Unmarshal([]byte(os.Getenv(envHostileChild)), &spec); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	res, err := runChild(spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		return 2
	}
	return 0
}

func runChild(spec childSpec) (childResult, error) {
	d, err := New(Config{URL: spec.URL, StartTLS: spec.StartTLS, CAFile: spec.CAFile, ServerName: "dc-hostile.corp.example.com",
		BindUser: "svc@corp.example.com", Password: secret.New("x"), BaseDN: "DC=corp,DC=example,DC=com", Timeout: spec.Timeout,
		MaxResultBytes: spec.MaxResultBytes, MaxEntries: spec.MaxEntries})
	if err != nil {
		return childResult{}, err
	}
	defer d.Close()
	var res childResult
	res.BaseHeap = heapObjects()
	var peak atomic.Uint64
	peak.Store(res.BaseHeap)
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if h := heapObjects(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if spec.CancelAfter > 0 {
		time.AfterFunc(spec.CancelAfter, cancel)
	}
	req := actions.SearchRequest{Scope: actions.ScopeSubtree, Filter: actions.Present{Attribute: "servicePrincipalName"},
		Attributes: []string{"sAMAccountName", "servicePrincipalName"}}
	started := time.Now()
	switch spec.Op {
	case "search":
		var entries []actions.Entry
		entries, err = d.Search(ctx, req)
		res.Entries = len(entries)
	case "pages":
		err = d.SearchPages(ctx, req, func(page []actions.Entry) error {
			res.Entries += len(page)
			return nil
		})
	case "messages":
		err = d.searchMessages(ctx, req, func(messages [][]byte) error {
			res.Entries += len(messages)
			return nil
		})
	case "rootdse":
		_, err = d.RootDSE(ctx)
	default:
		err = fmt.Errorf("unknown op %q", spec.Op)
	}
	res.Elapsed = time.Since(started)
	close(done)
	<-sampled
	if h := heapObjects(); h > peak.Load() {
		peak.Store(h)
	}
	res.PeakHeap = peak.Load()
	if err != nil {
		res.Error = err.Error()
		var te *actions.TransportError
		if errors.As(err, &te) {
			res.Kind, res.Class, res.Host = te.Kind, te.Class.String(), te.Host
		}
		var le *LimitError
		if errors.As(err, &le) {
			res.Limit = le.Limit
		}
	}
	return res, nil
}

// heapObjects is the heap memory occupied by objects, live or not yet
// swept.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
