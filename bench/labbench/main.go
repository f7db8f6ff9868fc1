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
	"syscall"
	"time"

	"github.com/rectifyhq/rectify/examples"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
)

func main() {
	rectify := flag.String("rectify", "", "the rectify `binary` to measure")
	out := flag.String("out", "", "the `directory` for labs' inventories, plans and journals")
	parallelism := flag.Int("parallelism", 10, "rectify's -parallelism")
	serial := flag.String("serial", "", `the playbook's rollout serial for the benchmark; "" keeps the example's`)
	serveDirectory := flag.Int("serve-directory", 0, "serve a lab whose directory holds this many more `computers`, print its Global Catalog's settings as JSON, and run until standard input closes")
	dropPorts := flag.Bool("without-ports", false, "leave out the playbook's net.kerberos_ports step (every Exchange server probes every DC), to measure the rest")
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
		fmt.Fprintln(os.Stderr, "usage: labbench -rectify PATH -out DIR [-parallelism N] [-serial S] [-without-ports] HOSTSxLATENCY...")
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
	// The spawner starts rectify for every row; it must start before any
	// lab exists (see spawn.go).
	sp, err := startSpawner()
	if err != nil {
		fmt.Fprintf(os.Stderr, "labbench: start the spawner: %v\n", err)
		os.Exit(1)
	}
	header()
	floor := int64(0)
	for i, r := range rows {
		f, err := measure(context.Background(), sp, bin, *out, r.n, r.latency, *parallelism, playbookEdit{serial: *serial, dropPorts: *dropPorts}, r.planOnly)
		if err != nil {
			fmt.Fprintf(os.Stderr, "labbench %s: %v\n", flag.Arg(i), err)
			os.Exit(1)
		}
		floor = max(floor, f)
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

// run runs the rectify binary in dir with the lab's credentials, through
// the spawner.
func run(sp *spawner, bin, dir string, env map[string]string, log string, args ...string) (usage, error) {
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

var (
	serialLine = regexp.MustCompile(`(?m)^(\s*serial\s*=\s*).*$`)
	portsStep  = regexp.MustCompile(`(?s)step "net\.kerberos_ports" "ports" \{.*?\n\}\n`)
	portsRef   = regexp.MustCompile(`,\s*step\.ports`)
)

// playbookEdit is how the benchmark's copy of the example differs.
type playbookEdit struct {
	// serial replaces the rollout's serial when not empty.
	serial string
	// dropPorts leaves out the ports step and the references to it.
	dropPorts bool
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
		if edit.dropPorts {
			if !portsStep.Match(b) {
				return fmt.Errorf("%s has no ports step to leave out", path)
			}
			b = portsRef.ReplaceAll(portsStep.ReplaceAll(b, nil), nil)
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o644)
	})
}

// measure serves a lab of n Exchange servers, runs the plan (and, unless
// planOnly, the apply) and prints their rows. It returns the highest peak
// RSS of the spawner seen while starting them.
func measure(ctx context.Context, sp *spawner, bin, out string, n int, latency time.Duration, parallelism int, edit playbookEdit, planOnly bool) (int64, error) {
	dir := filepath.Join(out, fmt.Sprintf("%d-hosts-%s", n, latency))
	if err := os.RemoveAll(dir); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	l, err := lab.Start(ctx, lab.Generate(n), lab.Options{Latency: latency, Dir: dir, WinRMPort: lab.AnyPort,
		LDAPPorts: lab.LDAPPorts{LDAP: lab.AnyPort, LDAPS: lab.AnyPort, GC: lab.AnyPort, GCS: lab.AnyPort}})
	if err != nil {
		return 0, fmt.Errorf("start the lab: %w", err)
	}
	defer l.Close()
	if err := l.WriteInventory(filepath.Join(dir, "inventory.hcl")); err != nil {
		return 0, err
	}
	if err := writePlaybook(filepath.Join(dir, "exchange-454"), edit); err != nil {
		return 0, err
	}
	log := filepath.Join(dir, "rectify.log")
	hosts := len(l.Org().Hosts())
	par := strconv.Itoa(parallelism)

	before := snapshot(l)
	labCPU := selfCPU()
	plan, err := run(sp, bin, dir, l.Credentials(), log, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-parallelism", par, "-out", "fix.plan", "exchange-454")
	if err != nil {
		return 0, err
	}
	afterPlan := snapshot(l)
	// Plan exits 0 whether or not it found changes; an error is 1.
	if plan.exit != 0 {
		return 0, fmt.Errorf("plan exited %d; see %s", plan.exit, log)
	}
	plan.labCPU = selfCPU() - labCPU
	row("plan", n, hosts, latency, parallelism, plan, afterPlan.minus(before))
	if planOnly {
		return plan.spawnerPeak, nil
	}
	labCPU = selfCPU()

	apply, err := run(sp, bin, dir, l.Credentials(), log, "apply", "-state", "journal.db", "-parallelism", par, "-window-override", "benchmark", "fix.plan")
	if err != nil {
		return 0, err
	}
	apply.labCPU = selfCPU() - labCPU
	row("apply", n, hosts, latency, parallelism, apply, snapshot(l).minus(afterPlan))
	return max(plan.spawnerPeak, apply.spawnerPeak), nil
}

// minRequests is the fewest HTTP exchanges one command on a host takes
// with a fresh connection: the NTLM negotiate (401), Create shell (with
// the authenticate message), Command, Send (the script on stdin), Receive
// (output and exit code), Delete shell.
const minRequests = 6

func header() {
	fmt.Printf("| run | Exchange servers | hosts | latency | wall | rectify CPU | lab CPU | floor | wall/floor | commands/host | HTTP/host | LDAP searches | LDAP modifies | peak RSS | RSS/host | exit |\n")
	fmt.Printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
}

func row(what string, n, hosts int, latency time.Duration, parallelism int, u usage, t totals) {
	// The floor is a plan's: one command per host. An apply reads,
	// changes and verifies each target, step by step, so it has none here.
	floorText, ratio := "-", "-"
	if what == "plan" {
		rounds := (hosts + parallelism - 1) / parallelism
		floor := time.Duration(rounds*minRequests) * latency
		floorText = floor.String()
		if floor > 0 {
			ratio = fmt.Sprintf("%.2f", float64(u.wall)/float64(floor))
		}
	}
	fmt.Printf("| %s | %d | %d | %s | %s | %s | %s | %s | %s | %.2f | %.2f | %d | %d | %.1f MB | %.1f KB | %d |\n",
		what, n, hosts, latency, u.wall.Round(10*time.Millisecond), u.cpu.Round(10*time.Millisecond), u.labCPU.Round(10*time.Millisecond), floorText, ratio,
		float64(t.winrm.Command)/float64(hosts), float64(t.winrm.HTTP)/float64(hosts),
		t.searches, t.modifies, float64(u.maxRSS)/(1<<20), float64(u.maxRSS)/1024/float64(hosts), u.exit)
}

// selfCPU is the CPU time this process (the lab) has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
