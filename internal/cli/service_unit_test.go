package cli

import (
	"os"
	"strings"
	"testing"
)

// TestSystemdUnitRunsAValidWatch checks the example systemd unit: its
// ExecStart is a rectify watch command line whose flags rectify has, with
// one playbook, a journal under the unit's state directory (the home
// directory is hidden from the service), and the hardening it promises.
func TestSystemdUnitRunsAValidWatch(t *testing.T) {
	b, err := os.ReadFile("../../examples/systemd/rectify-watch.service")
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("not a setting: %q", line)
			continue
		}
		settings[k] = append(settings[k], v)
	}
	exec := settings["ExecStart"]
	if len(exec) != 1 {
		t.Fatalf("ExecStart: %q", exec)
	}
	args := strings.Fields(exec[0])
	if len(args) < 2 || !strings.HasSuffix(args[0], "/rectify") || args[1] != "watch" {
		t.Fatalf("ExecStart does not run rectify watch: %q", exec[0])
	}
	cmd := &watchCommand{}
	g := defaultGlobals()
	fs := commandFlagSet("watch", cmd, &g)
	if u := findUnknownFlag(fs, args[2:], true); u != nil {
		t.Fatalf("ExecStart: %v", u)
	}
	positional, err := parseInterspersed(fs, args[2:])
	if err != nil || len(positional) != 1 {
		t.Fatalf("ExecStart's arguments: %v, positional %q", err, positional)
	}
	if !strings.HasPrefix(fs.Lookup("state").Value.String(), "/var/lib/rectify/") || !strings.Contains(strings.Join(settings["StateDirectory"], ""), "rectify") {
		t.Errorf("the journal must live in the unit's StateDirectory (ProtectHome hides ~/.local/state): -state %s", fs.Lookup("state").Value)
	}
	if fs.Lookup("metrics-addr").Value.String() == "" {
		t.Errorf("the unit serves no metrics")
	}
	for k, want := range map[string]string{
		"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
		"CapabilityBoundingSet": "", "KillSignal": "SIGTERM", "UMask": "0077", "User": "rectify",
	} {
		if got := settings[k]; len(got) != 1 || got[0] != want {
			t.Errorf("%s=%q, want %q", k, got, want)
		}
	}
}
