package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/examples"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/plans"
)

func main() {
	rectify := flag.String("rectify", "", "the rectify `binary` to measure")
	out := flag.String("out", "", "the `directory` for labs' inventories, plans and journals")
	parallelism := flag.String("parallelism", "10", "rectify's -parallelism: a number, or comma-separated numbers to measure every row with each")
	https := flag.Bool("https", false, "serve WinRM over HTTPS (NTLM, no message encryption) instead of HTTP with NTLM message encryption, the default of the lab and of Windows")
	serial := flag.String("serial", "", `the playbook's rollout serial for the benchmark; "" keeps the example's`)
	serveDirectory := flag.Int("serve-directory", 0, "serve a lab whose directory holds this many more `computers`, print its Global Catalog's settings as JSON, and run until standard input closes")
	without := flag.String("without", "", "leave out these steps of the playbook (comma-separated step names, such as ports,connector), to measure the rest")
	spawnerMode := flag.Bool("spawner", false, "run commands for the driver (internal: see spawn.go)")
	flag.Parse()
	if *spawnerMode {
		if err := serveSpawner(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "labbench: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if *serveDirectory > 0 {
		if err := serveDirectoryUntilEOF(*serveDirectory, *out); err != nil {
			fmt.Fprintf(os.Stderr, "labbench: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if *rectify == "" || *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: labbench -rectify PATH -out DIR [-parallelism N[,N...]] [-serial S] [-without STEPS] [-https] HOSTSxLATENCY...")
		os.Exit(2)
	}
	bin, err := filepath.Abs(*rectify)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	type row struct {
		n        int
		latency  time.Duration
		planOnly bool
	}
	var rows []row
	for _, spec := range flag.Args() {
		n, latency, planOnly, err := parseSpec(spec)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		rows = append(rows, row{n, latency, planOnly})
	}
	var levels []int
	for _, f := range splitList(*parallelism) {
		p, err := strconv.Atoi(f)
		if err != nil || p < 1 {
			fmt.Fprintf(os.Stderr, "labbench: -parallelism %q: want positive numbers\n", *parallelism)
			os.Exit(2)
		}
		levels = append(levels, p)
	}
	if len(levels) == 0 {
		fmt.Fprintln(os.Stderr, "labbench: -parallelism names no number")
		os.Exit(2)
	}
	// The spawner starts rectify for every row; it must start before any
	// lab exists (see spawn.go).
	sp, err := startSpawner()
	if err != nil {
		fmt.Fprintf(os.Stderr, "labbench: start the spawner: %v\n", err)
		os.Exit(1)
	}
	header()
	floor := int64(0)
	for _, p := range levels {
		for i, r := range rows {
			f, err := measure(context.Background(), sp, bin, *out, run{n: r.n, latency: r.latency, parallelism: p, https: *https,
				edit: playbookEdit{serial: *serial, drop: splitList(*without)}, planOnly: r.planOnly})
			if err != nil {
				fmt.Fprintf(os.Stderr, "labbench %s: %v\n", flag.Arg(i), err)
				os.Exit(1)
			}
			floor = max(floor, f)
		}
	}
	if err := sp.close(); err != nil {
		fmt.Fprintf(os.Stderr, "labbench: the spawner: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("\nPeak RSS is the rectify process's own (ru_maxrss of a child started by a spawner process, not by the driver that serves the lab); a figure at or below the spawner's own peak, %.1f MB, would be the spawner's.\n", float64(floor)/(1<<20))
}

// parseSpec reads "1000x50ms", or "5000x5ms:plan" for a plan alone.
func parseSpec(s string) (int, time.Duration, bool, error) {
	s, planOnly := strings.CutSuffix(s, ":plan")
	hosts, lat, ok := strings.Cut(s, "x")
	n, err := strconv.Atoi(hosts)
	if !ok || err != nil || n < 1 {
		return 0, 0, false, fmt.Errorf("%q: want HOSTSxLATENCY, such as 1000x50ms", s)
	}
	d, err := time.ParseDuration(lat)
	if err != nil {
		return 0, 0, false, fmt.Errorf("%q: %w", s, err)
	}
	return n, d, planOnly, nil
}

// usage is what one child run cost.
type usage struct {
	wall   time.Duration
	maxRSS int64 // bytes, the child's own (see spawn.go)
	cpu    time.Duration
	labCPU time.Duration // the lab's, in this process
	exit   int
	// spawnerPeak is the peak RSS of the process that started the child.
	spawnerPeak int64
}

// runRectify runs the rectify binary in dir with the lab's credentials,
// through the spawner.
func runRectify(sp *spawner, bin, dir string, env map[string]string, log string, args ...string) (usage, error) {
	req := spawnRequest{Bin: bin, Dir: dir, Args: args, Log: log,
		Env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "XDG_STATE_HOME=" + dir}}
	for k, v := range env {
		req.Env = append(req.Env, k+"="+v)
	}
	res, err := sp.run(req)
	if err != nil {
		return usage{}, err
	}
	return usage{wall: res.Wall, maxRSS: res.MaxRSS, cpu: res.CPU, exit: res.Exit, spawnerPeak: res.SpawnerPeak}, nil
}

// totals sums the lab's counters over every host.
type totals struct {
	winrm    wsman.Counts
	searches int64
	modifies int64
}

func snapshot(l *lab.Lab) totals {
	var t totals
	for _, h := range l.Org().Hosts() {
		t.winrm = t.winrm.Add(l.WinRMCounts(h.Name))
	}
	for _, dc := range l.DCs() {
		s := l.LDAPStats(dc)
		t.searches += s.Searches
		t.modifies += s.Modifies
	}
	return t
}

func (t totals) minus(o totals) totals {
	w := t.winrm
	neg := wsman.Counts{HTTP: -o.winrm.HTTP, Connections: -o.winrm.Connections, Unauthorized: -o.winrm.Unauthorized, Handshakes: -o.winrm.Handshakes,
		Faults: -o.winrm.Faults, Create: -o.winrm.Create, Command: -o.winrm.Command, Send: -o.winrm.Send, Receive: -o.winrm.Receive,
		Signal: -o.winrm.Signal, Delete: -o.winrm.Delete}
	return totals{winrm: w.Add(neg), searches: t.searches - o.searches, modifies: t.modifies - o.modifies}
}

var serialLine = regexp.MustCompile(`(?m)^(\s*serial\s*=\s*).*$`)

// playbookEdit is how the benchmark's copy of the example differs.
type playbookEdit struct {
	// serial replaces the rollout's serial when not empty.
	serial string
	// drop names the steps left out, with the references to them.
	drop []string
}

// splitList reads a comma-separated list.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// writePlaybook copies the example playbook to dir, edited.
func writePlaybook(dir string, edit playbookEdit) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return fs.WalkDir(examples.Exchange454, "exchange-454", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := examples.Exchange454.ReadFile(path)
		if err != nil {
			return err
		}
		if !strings.HasSuffix(path, ".hcl") {
			return os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o644)
		}
		if edit.serial != "" {
			b = serialLine.ReplaceAll(b, []byte("${1}"+strconv.Quote(edit.serial)))
		}
		for _, name := range edit.drop {
			q := regexp.QuoteMeta(name)
			block := regexp.MustCompile(`(?s)step "[a-z_.]+" "` + q + `" \{.*?\n\}\n`)
			if !block.Match(b) {
				return fmt.Errorf("%s has no step %q to leave out", path, name)
			}
			b = block.ReplaceAll(b, nil)
			b = regexp.MustCompile(`,\s*step\.`+q+`\b`).ReplaceAll(b, nil)
			b = regexp.MustCompile(`\[step\.`+q+`,\s*`).ReplaceAll(b, []byte("["))
			if regexp.MustCompile(`step\.` + q + `\b`).Match(b) {
				return fmt.Errorf("%s: step %q is referred to where it cannot be left out", path, name)
			}
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o644)
	})
}

// run is one row to measure: a lab of n Exchange servers answering after
// latency, and how rectify and the playbook are set.
type run struct {
	n           int
	latency     time.Duration
	parallelism int
	https       bool
	edit        playbookEdit
	planOnly    bool
}

// measure serves a lab, runs the plan (and, unless planOnly, the apply)
// and prints their rows. It returns the highest peak RSS of the spawner
// seen while starting them.
func measure(ctx context.Context, sp *spawner, bin, out string, r run) (int64, error) {
	dir := filepath.Join(out, fmt.Sprintf("%d-hosts-%s-p%d", r.n, r.latency, r.parallelism))
	if err := os.RemoveAll(dir); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	l, err := lab.Start(ctx, lab.Generate(r.n), lab.Options{Latency: r.latency, Dir: dir, WinRMPort: lab.AnyPort, HTTPS: r.https,
		LDAPPorts: lab.LDAPPorts{LDAP: lab.AnyPort, LDAPS: lab.AnyPort, GC: lab.AnyPort, GCS: lab.AnyPort}})
	if err != nil {
		return 0, fmt.Errorf("start the lab: %w", err)
	}
	defer l.Close()
	if err := l.WriteInventory(filepath.Join(dir, "inventory.hcl")); err != nil {
		return 0, err
	}
	if err := writePlaybook(filepath.Join(dir, "exchange-454"), r.edit); err != nil {
		return 0, err
	}
	log := filepath.Join(dir, "rectify.log")
	hosts := len(l.Org().Hosts())
	par := strconv.Itoa(r.parallelism)

	before := snapshot(l)
	labCPU := selfCPU()
	plan, err := runRectify(sp, bin, dir, l.Credentials(), log, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-parallelism", par, "-out", "fix.plan", "exchange-454")
	if err != nil {
		return 0, err
	}
	afterPlan := snapshot(l)
	// Plan exits 0 whether or not it found changes; an error is 1.
	if plan.exit != 0 {
		return 0, fmt.Errorf("plan exited %d; see %s", plan.exit, log)
	}
	plan.labCPU = selfCPU() - labCPU
	planned := afterPlan.minus(before)
	printRow("plan", r, hosts, plan, planned, nil)
	if r.planOnly {
		return plan.spawnerPeak, nil
	}
	labCPU = selfCPU()

	apply, err := runRectify(sp, bin, dir, l.Credentials(), log, "apply", "-state", "journal.db", "-parallelism", par, "-window-override", "benchmark", "fix.plan")
	if err != nil {
		return 0, err
	}
	apply.labCPU = selfCPU() - labCPU
	changes, err := attempted(ctx, filepath.Join(dir, "journal.db"))
	if err != nil {
		return 0, err
	}
	printRow("apply", r, hosts, apply, snapshot(l).minus(afterPlan), &applied{changes: changes, reviewCommands: planned.winrm.Command})
	return max(plan.spawnerPeak, apply.spawnerPeak), nil
}

// attempted counts the changes the last run of the journal at path
// started: made, failed, found stale or differing, or left in flight (not
// those it skipped).
func attempted(ctx context.Context, path string) (int, error) {
	j, err := journal.Open(ctx, path)
	if err != nil {
		return 0, err
	}
	defer j.Close()
	runs, err := j.Runs(ctx, 1)
	if err != nil || len(runs) == 0 {
		return 0, fmt.Errorf("the journal holds no run: %v", err)
	}
	_, changes, err := j.Run(ctx, runs[0].ID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range changes {
		switch c.Status {
		case string(plans.Applied), string(plans.Failed), string(plans.Stale), string(plans.Differs), journal.InFlight:
			n++
		}
	}
	return n, nil
}

// sequentialExchanges is the fewest HTTP exchanges a host must wait for
// one after the other before a plan has its read, with one connection to
// it: the NTLM negotiate (answered 401 with the challenge), Create (which
// carries the AUTHENTICATE message), Command, Send (the script on standard
// input) and Receive (its output and exit code). The sixth exchange the
// host needs, the shell's Delete, nobody waits for: rectify sends it while
// it reads other hosts, and the last hosts' Deletes together cost one more
// latency at the end of the run.
const sequentialExchanges = 5

// floor is the least wall time a plan of hosts can take at parallelism
// when every HTTP answer takes latency: hosts are read parallelism at a
// time, each in sequentialExchanges answers, and the last Deletes take
// one more. Connecting costs nothing here: the lab adds latency to HTTP
// answers only (on a network a TCP connect is one more round trip, a TLS
// handshake one or two).
func floor(hosts, parallelism int, latency time.Duration) time.Duration {
	rounds := (hosts + parallelism - 1) / parallelism
	return time.Duration(rounds*sequentialExchanges+1) * latency
}

// applied is what an apply row reports besides a plan's: the changes it
// started and the WinRM commands of its review, the read of every host
// before any change (as many as the plan's).
type applied struct {
	changes        int
	reviewCommands int64
}

func header() {
	fmt.Printf("| run | Exchange servers | hosts | latency | parallelism | wall | floor | wall/floor | rectify CPU | CPU/host | lab CPU | commands/host | HTTP/host | connections/host | handshakes/host | changes | commands/change | LDAP searches | LDAP modifies | peak RSS | RSS/host | exit |\n")
	fmt.Printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
}

// printRow prints one row. The floor is a plan's: one command per host. An
// apply reads every host, then re-reads, changes and verifies targets
// batch by batch, so it has none; it reports the changes it started and
// the WinRM commands beyond its review per change.
func printRow(what string, r run, hosts int, u usage, t totals, a *applied) {
	floorText, ratio := "-", "-"
	if what == "plan" {
		f := floor(hosts, r.parallelism, r.latency)
		floorText = f.String()
		if f > 0 {
			ratio = fmt.Sprintf("%.2f", float64(u.wall)/float64(f))
		}
	}
	changes, perChange := "-", "-"
	if a != nil {
		changes = strconv.Itoa(a.changes)
		if a.changes > 0 {
			perChange = fmt.Sprintf("%.2f", float64(t.winrm.Command-a.reviewCommands)/float64(a.changes))
		}
	}
	perHost := func(n int64) float64 { return float64(n) / float64(hosts) }
	fmt.Printf("| %s | %d | %d | %s | %d | %s | %s | %s | %s | %.2f ms | %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %d | %d | %.1f MB | %.1f KB | %d |\n",
		what, r.n, hosts, r.latency, r.parallelism, u.wall.Round(10*time.Millisecond), floorText, ratio,
		u.cpu.Round(10*time.Millisecond), float64(u.cpu)/float64(time.Millisecond)/float64(hosts), u.labCPU.Round(10*time.Millisecond),
		perHost(t.winrm.Command), perHost(t.winrm.HTTP), perHost(t.winrm.Connections), perHost(t.winrm.Handshakes),
		changes, perChange, t.searches, t.modifies, float64(u.maxRSS)/(1<<20), float64(u.maxRSS)/1024/float64(hosts), u.exit)
}
