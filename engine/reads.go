package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
)

// lookupChunk is how many values one merged lookup search carries; it keeps
// filters well under directory servers' request size limits.
const lookupChunk = 64

// reachTimeout bounds one reach probe from the rectify machine.
const reachTimeout = 3 * time.Second

// readRequest is the probes of one instance.
type readRequest struct {
	// host runs shell probes that name no host.
	host   string
	probes []actions.Probe
}

// readOutcome is what a set of reads produced: results per request, and
// the hosts whose batch command failed as a whole.
type readOutcome struct {
	results  []actions.Results
	hostErrs map[string]error
	// commands counts the remote shell commands run, per host.
	commands map[string]int
}

// shellItem is one distinct shell read on one host.
type shellItem struct {
	id     string
	script ops.Script
	args   json.RawMessage
	// sensitive is set when a probe's arguments hold a secret.
	sensitive bool
	// timed is set when a probe asks for the read's moment
	// (ShellProbe.Alone): it runs first in the host's batch.
	timed bool
	// users are the (request, probe name) pairs waiting for this read.
	users []probeRef
	// each are the probes over many hosts (ShellProbe.Hosts) that hold
	// this read's result among theirs.
	each []*eachGroup
	// memo, when set, keeps the result for the rest of the run under
	// memoKey (a read for probes over many hosts only; see runMemo).
	memo    *runMemo
	memoKey string
	memoGen int
}

// eachGroup is the probes of every instance that name the same op,
// arguments and list of hosts (ShellProbe.Hosts): they share one map of
// the hosts' results.
type eachGroup struct {
	mu      sync.Mutex
	results map[string]actions.Result
	users   []probeRef
}

// give hands the read's result to every probe waiting for it.
func (it *shellItem) give(host string, res actions.Result, set func(probeRef, actions.Result)) {
	if it.memo != nil {
		it.memo.put(host, it.memoKey, it.memoGen, res)
	}
	for _, u := range it.users {
		set(u, res)
	}
	for _, g := range it.each {
		g.mu.Lock()
		g.results[host] = res
		g.mu.Unlock()
	}
}

type probeRef struct {
	req  int
	name string
}

// lookupGroup is a set of lookups of one shape, merged into few searches.
type lookupGroup struct {
	domain string
	probe  actions.LookupProbe // shape; Values unused
	values []string
	users  []lookupUser
}

type lookupUser struct {
	ref    probeRef
	values []string
}

// reader runs reads with bounded parallelism.
type reader struct {
	conns       actions.Connections
	parallelism int
	// hostDone, when set, hears of each host's batch command as it
	// finishes (done of total hosts), one call at a time, so that progress
	// shows live.
	hostDone func(host string, done, total int, err error)
	// hostStart, when set, hears of each host's commands as they start.
	hostStart func(host string, total int)
}

// read runs every probe of every request: all shell probes for one host as
// one batch command, lookups of one shape merged, searches and reach probes
// concurrently.
func (r reader) read(ctx context.Context, reqs []readRequest) (readOutcome, error) {
	out := readOutcome{
		results:  make([]actions.Results, len(reqs)),
		hostErrs: map[string]error{},
		commands: map[string]int{},
	}
	for i := range reqs {
		out.results[i] = actions.Results{}
	}
	var mu sync.Mutex
	set := func(ref probeRef, res actions.Result) {
		mu.Lock()
		out.results[ref.req][ref.name] = res
		mu.Unlock()
	}

	shell := map[string][]*shellItem{} // host -> items
	shellIndex := map[string]*shellItem{}
	eachIndex := map[string]*eachGroup{}
	var eachOrder []*eachGroup
	// item returns the distinct read of script with args on host.
	// A read whose moment matters (timed) runs first in its host's batch.
	item := func(host string, script ops.Script, args json.RawMessage, timed bool) *shellItem {
		key := host + "\x00" + script.Op + "\x00" + string(args)
		it, ok := shellIndex[key]
		if !ok {
			it = &shellItem{id: fmt.Sprintf("r%d", len(shell[host])+1), script: script, args: args}
			shellIndex[key] = it
			shell[host] = append(shell[host], it)
		}
		it.timed = it.timed || timed
		return it
	}
	groups := map[string]*lookupGroup{}
	var groupOrder []string
	type searchJob struct {
		ref   probeRef
		probe actions.SearchProbe
	}
	var searches []searchJob
	type reachJob struct {
		ref   probeRef
		probe actions.ReachProbe
	}
	var reaches []reachJob

	for i, req := range reqs {
		for _, p := range req.probes {
			if err := p.Validate(); err != nil {
				return out, fmt.Errorf("bad probe: %w", err)
			}
			ref := probeRef{req: i, name: p.Name}
			switch {
			case p.Shell != nil && p.Shell.Hosts != nil:
				args, err := json.Marshal(p.Shell.Args)
				if err != nil {
					return out, fmt.Errorf("probe %q: encode arguments: %w", p.Name, err)
				}
				var key strings.Builder
				fmt.Fprintf(&key, "%s\x00%s\x00%v\x00%v", p.Shell.Script.Op, args, p.Shell.Alone, p.Shell.Sensitive)
				for _, h := range p.Shell.Hosts {
					key.WriteByte(0)
					key.WriteString(h)
				}
				g, ok := eachIndex[key.String()]
				if !ok {
					g = &eachGroup{results: make(map[string]actions.Result, len(p.Shell.Hosts))}
					eachIndex[key.String()] = g
					eachOrder = append(eachOrder, g)
					for _, host := range p.Shell.Hosts {
						it := item(host, p.Shell.Script, args, p.Shell.Alone)
						it.sensitive = it.sensitive || p.Shell.Sensitive
						if !slices.Contains(it.each, g) {
							it.each = append(it.each, g)
						}
					}
				}
				g.users = append(g.users, ref)
			case p.Shell != nil:
				host := p.Shell.Host
				if host == "" {
					host = req.host
				}
				args, err := json.Marshal(p.Shell.Args)
				if err != nil {
					return out, fmt.Errorf("probe %q: encode arguments: %w", p.Name, err)
				}
				it := item(host, p.Shell.Script, args, p.Shell.Alone)
				it.sensitive = it.sensitive || p.Shell.Sensitive
				it.timed = it.timed || p.Shell.Alone
				it.users = append(it.users, ref)
			case p.Lookup != nil:
				l := *p.Lookup
				attrs := append([]string(nil), l.Attributes...)
				sort.Strings(attrs)
				key := fmt.Sprintf("%s\x00%v\x00%s\x00%#v\x00%s\x00%s", strings.ToLower(l.Domain), l.GlobalCatalog, strings.ToLower(l.Base), l.Match, strings.ToLower(l.Attribute), strings.Join(attrs, ","))
				g, ok := groups[key]
				if !ok {
					g = &lookupGroup{domain: l.Domain, probe: l}
					groups[key] = g
					groupOrder = append(groupOrder, key)
				}
				g.users = append(g.users, lookupUser{ref: ref, values: l.Values})
				g.values = append(g.values, l.Values...)
			case p.Search != nil:
				searches = append(searches, searchJob{ref: ref, probe: *p.Search})
			case p.Reach != nil:
				reaches = append(reaches, reachJob{ref: ref, probe: *p.Reach})
			}
		}
	}

	// A job's goroutine starts once it has a place: a plan of thousands of
	// hosts holds Parallelism goroutines and their stacks, not thousands.
	sem := make(chan struct{}, max(1, r.parallelism))
	var wg sync.WaitGroup
	run := func(f func()) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			f() // each job reports the cancellation itself
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f()
		}()
	}

	if memo := runMemoFrom(ctx); memo != nil {
		// A read that only probes over many hosts wait for is made once a
		// run: taken from the memo, or kept there once made.
		for host, items := range shell {
			kept := items[:0]
			for _, it := range items {
				if len(it.users) > 0 {
					kept = append(kept, it)
					continue
				}
				key := host + "\x00" + it.script.Op + "\x00" + string(it.args)
				res, gen, ok := memo.get(host, key)
				if ok {
					it.give(host, res, set)
					continue
				}
				it.memo, it.memoKey, it.memoGen = memo, key, gen
				kept = append(kept, it)
			}
			if len(kept) == 0 {
				delete(shell, host)
			} else {
				shell[host] = kept
			}
		}
	}

	hosts := make([]string, 0, len(shell))
	for h := range shell {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	var progress sync.Mutex
	done := 0
	for _, host := range hosts {
		items := timedFirst(shell[host])
		// One command a host: its reads in one batch, those whose moment
		// matters first.
		run(func() {
			if r.hostStart != nil {
				r.hostStart(host, len(hosts))
			}
			err := r.runBatch(ctx, host, items, set)
			mu.Lock()
			out.commands[host]++
			if err != nil {
				out.hostErrs[host] = err
			}
			mu.Unlock()
			if r.hostDone != nil {
				progress.Lock()
				done++
				r.hostDone(host, done, len(hosts), err)
				progress.Unlock()
			}
		})
	}
	for _, key := range groupOrder {
		g := groups[key]
		run(func() { r.runLookups(ctx, g, set) })
	}
	for _, s := range searches {
		run(func() {
			dir, err := r.conns.Directory(ctx, s.probe.Domain)
			if err != nil {
				set(s.ref, actions.Result{Err: err})
				return
			}
			var entries []actions.Entry
			if s.probe.RootDSE {
				var e actions.Entry
				e, err = dir.RootDSE(ctx)
				entries = []actions.Entry{e}
			} else {
				entries, err = dir.Search(ctx, s.probe.Request)
			}
			set(s.ref, actions.Result{Entries: entries, Err: err})
		})
	}
	for _, j := range reaches {
		run(func() {
			if err := ctx.Err(); err != nil {
				set(j.ref, actions.Result{Err: err})
				return
			}
			set(j.ref, actions.Result{Reach: r.conns.Prober().Probe(ctx, j.probe.Endpoints, reachTimeout)})
		})
	}
	wg.Wait()
	for _, g := range eachOrder {
		for _, u := range g.users {
			out.results[u.req][u.name] = actions.Result{Each: g.results}
		}
	}
	return out, nil
}

// timedFirst orders a host's reads for its batch: those whose moment
// matters (ShellProbe.Alone) first, each group in the order asked.
func timedFirst(items []*shellItem) []*shellItem {
	out := make([]*shellItem, 0, len(items))
	for _, it := range items {
		if it.timed {
			out = append(out, it)
		}
	}
	for _, it := range items {
		if !it.timed {
			out = append(out, it)
		}
	}
	return out
}

func failAll(host string, items []*shellItem, err error, set func(probeRef, actions.Result)) {
	for _, it := range items {
		it.give(host, actions.Result{Err: err}, set)
	}
}

// runBatch runs every shell read for one host as one command. Each read's
// result is bracketed by the command's Sent and Received narrowed by the
// batch's timing of that read (ops.ItemBracket): a read run first is
// bracketed as closely as a command of its own, whatever the slow reads
// after it.
func (r reader) runBatch(ctx context.Context, host string, items []*shellItem, set func(probeRef, actions.Result)) error {
	fail := func(err error) error {
		failAll(host, items, err, set)
		return err
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	sh, err := r.conns.Shell(ctx, host)
	if err != nil {
		return fail(err)
	}
	batch := ops.BatchArgs{Items: make([]ops.BatchItem, len(items))}
	sensitive := false
	for i, it := range items {
		batch.Items[i] = ops.BatchItem{ID: it.id, Script: it.script.Text, Args: it.args}
		sensitive = sensitive || it.sensitive
	}
	args, err := json.Marshal(batch)
	if err != nil {
		return fail(fmt.Errorf("encode batch: %w", err))
	}
	sent := time.Now()
	res, err := sh.RunScript(ctx, ops.ScriptRun{Script: ops.MustScript(ops.Batch), Args: args, SensitiveArgs: sensitive})
	received := time.Now()
	if err != nil {
		return fail(err)
	}
	var br struct {
		Results []struct {
			ID     string          `json:"id"`
			OK     bool            `json:"ok"`
			Output json.RawMessage `json:"output"`
			Error  string          `json:"error"`
			Before int64           `json:"before_us"`
			After  int64           `json:"after_us"`
		} `json:"results"`
	}
	if err := json.Unmarshal(res.Output, &br); err != nil {
		return fail(actions.Errorf(actions.KindProtocol, actions.Permanent, host, ops.Batch, "the batch answer is not a result list: %v", err))
	}
	byID := make(map[string]int, len(br.Results))
	for i, x := range br.Results {
		byID[x.ID] = i
	}
	for _, it := range items {
		i, ok := byID[it.id]
		result := actions.Result{Sent: sent, Received: received}
		if ok {
			result.Sent, result.Received = ops.ItemBracket(sent, received, br.Results[i].Before, br.Results[i].After)
		}
		switch {
		case !ok:
			result.Err = actions.Errorf(actions.KindProtocol, actions.Permanent, host, it.script.Op, "the batch answer has no result for this read")
		case !br.Results[i].OK:
			result.Err = actions.Errorf(actions.KindScript, actions.Permanent, host, it.script.Op, "%s", br.Results[i].Error)
		default:
			result.Output = br.Results[i].Output
		}
		it.give(host, result, set)
	}
	return nil
}

// runLookups runs one group of merged lookups and hands each probe the
// entries that match its own values.
func (r reader) runLookups(ctx context.Context, g *lookupGroup, set func(probeRef, actions.Result)) {
	fail := func(err error) {
		for _, u := range g.users {
			set(u.ref, actions.Result{Err: err})
		}
	}
	dir, err := r.conns.Directory(ctx, g.domain)
	if err != nil {
		fail(err)
		return
	}
	values := distinctFold(g.values)
	attrs := g.probe.Attributes
	if !containsFold(attrs, g.probe.Attribute) {
		attrs = append(append([]string(nil), attrs...), g.probe.Attribute)
	}
	var entries []actions.Entry
	seen := map[string]bool{}
	for start := 0; start < len(values); start += lookupChunk {
		end := min(start+lookupChunk, len(values))
		or := make(actions.Or, 0, end-start)
		for _, v := range values[start:end] {
			or = append(or, actions.Equal{Attribute: g.probe.Attribute, Value: v})
		}
		var filter actions.Filter = or
		if g.probe.Match != nil {
			filter = actions.And{g.probe.Match, or}
		}
		found, err := dir.Search(ctx, actions.SearchRequest{
			Base: g.probe.Base, Scope: actions.ScopeSubtree, Filter: filter,
			Attributes: attrs, GlobalCatalog: g.probe.GlobalCatalog,
		})
		if err != nil {
			fail(err)
			return
		}
		for _, e := range found {
			if k := strings.ToLower(e.DN); !seen[k] {
				seen[k] = true
				entries = append(entries, e)
			}
		}
	}
	// Each probe gets the entries holding one of its values, in the order
	// they came: entries are indexed by their values, folded to lower case.
	byValue := map[string][]int{}
	for i, e := range entries {
		for _, v := range e.Values(g.probe.Attribute) {
			k := strings.ToLower(v)
			if l := byValue[k]; len(l) == 0 || l[len(l)-1] != i {
				byValue[k] = append(l, i)
			}
		}
	}
	// Probes asking for the same values share one list (read-only, like
	// the entries themselves): a lookup every instance of a step makes
	// costs one list, not one an instance.
	shared := map[string][]actions.Entry{}
	for _, u := range g.users {
		values := distinctFold(u.values)
		key := make([]string, len(values))
		for i, v := range values {
			key[i] = strings.ToLower(v)
		}
		slices.Sort(key)
		k := strings.Join(key, "\x00")
		mine, ok := shared[k]
		if !ok {
			var picked []int
			for _, v := range key {
				picked = append(picked, byValue[v]...)
			}
			slices.Sort(picked)
			picked = slices.Compact(picked)
			for _, i := range picked {
				mine = append(mine, entries[i])
			}
			mine = slices.Clip(mine)
			shared[k] = mine
		}
		set(u.ref, actions.Result{Entries: mine})
	}
}

func distinctFold(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range in {
		k := strings.ToLower(v)
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
