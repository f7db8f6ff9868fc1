package lab

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/inventory"
)

// TestServe serves the lab until its context ends: the inventory it writes
// loads with the credentials it prints, and nothing listens afterwards.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lab.hcl")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, pw, ServeConfig{
			Faults:    []string{"spn", "connector", "ex02=slow"},
			Latency:   10 * time.Millisecond,
			Inventory: path,
			Options:   Options{WinRMPort: AnyPort, LDAPPorts: LDAPPorts{AnyPort, AnyPort, AnyPort, AnyPort}, Dir: dir},
		})
		pw.Close()
	}()
	exports := map[string]string{}
	export := regexp.MustCompile(`^  export ([A-Z_]+)=(.*)$`)
	sc := bufio.NewScanner(pr)
	var printed []string
	for sc.Scan() {
		line := sc.Text()
		printed = append(printed, line)
		if m := export.FindStringSubmatch(line); m != nil {
			exports[m[1]] = strings.Trim(m[2], "'")
		}
		if strings.HasPrefix(line, "Serving until interrupted") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if len(exports) != 4 {
		t.Fatalf("printed exports %v:\n%s", exports, strings.Join(printed, "\n"))
	}
	if !strings.Contains(strings.Join(printed, "\n"), "rectify plan -inventory "+path) {
		t.Errorf("no plan command line printed:\n%s", strings.Join(printed, "\n"))
	}
	inv, diags := inventory.Load(path, func(k string) (string, bool) { v, ok := exports[k]; return v, ok })
	if diags.HasErrors() {
		t.Fatalf("load the served inventory: %s", diags.Error())
	}
	s, _ := inv.WinRM("ex01")
	addr := net.JoinHostPort(s.Host, itoa(s.Port))
	if c, err := net.Dial("tcp", addr); err != nil {
		t.Fatalf("ex01 does not listen at %s: %v", addr, err)
	} else {
		c.Close()
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Serve returned", addr)
	}
	if _, err := os.Stat(filepath.Join(dir, "lab-ca.pem")); err != nil {
		t.Errorf("the CA beside the inventory is gone: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestParseFaults(t *testing.T) {
	tests := []struct {
		in      []string
		kinds   []string
		perHost map[string]string
		bad     bool
	}{
		{nil, FaultKinds, map[string]string{}, false},
		{[]string{"none"}, nil, map[string]string{}, false},
		{[]string{"skew", "ex01=unreachable"}, []string{"skew"}, map[string]string{"ex01": "unreachable"}, false},
		{[]string{"ex01=401"}, FaultKinds, map[string]string{"ex01": "401"}, false},
		{[]string{"gremlins"}, nil, nil, true},
		{[]string{"ex01=explode"}, nil, nil, true},
	}
	for _, tt := range tests {
		kinds, perHost, err := parseFaults(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("parseFaults(%q) error %v", tt.in, err)
			continue
		}
		if tt.bad {
			continue
		}
		if strings.Join(kinds, ",") != strings.Join(tt.kinds, ",") || len(perHost) != len(tt.perHost) {
			t.Errorf("parseFaults(%q) = %v, %v", tt.in, kinds, perHost)
		}
		for k, v := range tt.perHost {
			if perHost[k] != v {
				t.Errorf("parseFaults(%q)[%s] = %q, want %q", tt.in, k, perHost[k], v)
			}
		}
	}
}

// TestServeScenario serves the organisation a scenario describes: its
// hosts, with their clocks as the file says.
func TestServeScenario(t *testing.T) {
	sc, diags := LoadScenario("testdata/scenarios/clocks-opposite.hcl")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, pw, ServeConfig{Scenario: &sc, Inventory: filepath.Join(dir, "lab.hcl"),
			Options: Options{WinRMPort: AnyPort, LDAPPorts: LDAPPorts{AnyPort, AnyPort, AnyPort, AnyPort}, Dir: dir}})
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var printed []string
	for lines.Scan() {
		printed = append(printed, lines.Text())
		if strings.HasPrefix(lines.Text(), "Serving until interrupted") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if !strings.HasPrefix(strings.Join(printed, "\n"), "rectify lab: serving scenario clocks-opposite: 2 Exchange servers and 2 domain controllers of corp.example.com.") {
		t.Errorf("printed:\n%s", strings.Join(printed, "\n"))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if err := Serve(context.Background(), io.Discard, ServeConfig{Scenario: &sc, Hosts: 3}); err == nil {
		t.Error("a scenario and a generated organisation were both accepted")
	}
}
