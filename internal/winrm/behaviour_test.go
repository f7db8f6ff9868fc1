package winrm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/ops"
)

// TestRetriesAfterReset resets every connection once the shell exists: a
// read is retried up to MaxAttempts, a mutating run is sent once and its
// error says it may have run; a mutating run that never reached the host
// is retried.
func TestRetriesAfterReset(t *testing.T) {
	tests := []struct {
		name        string
		faults      wsman.Faults
		mutates     bool
		kind        actions.Kind
		wantHTTP    int64
		mayHaveRun  bool
		isRetryable bool
	}{
		{"read after reset", wsman.Faults{Reset: true}, false, actions.KindConnect, 3, false, true},
		{"mutation after reset", wsman.Faults{Reset: true}, true, actions.KindConnect, 1, true, false},
		{"mutation while unreachable", wsman.Faults{Unreachable: true}, true, actions.KindConnect, 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLab(t, nil)
			h, cfg := l.host(t, "ex01")
			s := newShell(t, cfg)
			if err := s.Open(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := h.SetFaults(tt.faults); err != nil {
				t.Fatal(err)
			}
			before, dials := h.Counts().HTTP, s.Stats().Dials
			run := runOf(t, ops.RegistrySet, ops.RegistrySetArgs{Path: `HKLM:\SOFTWARE\x`, Name: "v", Kind: ops.KindDWord, Data: 1})
			run.Mutates = tt.mutates
			_, err := s.RunScript(context.Background(), run)
			var te *actions.TransportError
			if !errors.As(err, &te) || te.Kind != tt.kind {
				t.Fatalf("error %#v, want kind %s", err, tt.kind)
			}
			if te.MayHaveRun != tt.mayHaveRun || actions.IsRetryable(err) != tt.isRetryable {
				t.Errorf("MayHaveRun %v, IsRetryable %v; want %v, %v", te.MayHaveRun, actions.IsRetryable(err), tt.mayHaveRun, tt.isRetryable)
			}
			if got := h.Counts().HTTP - before; got != tt.wantHTTP {
				t.Errorf("%d HTTP requests reached the host, want %d", got, tt.wantHTTP)
			}
			if tt.faults.Unreachable {
				if got := s.Stats().Dials - dials; got != int64(DefaultMaxAttempts) {
					t.Errorf("%d dials, want %d attempts", got, DefaultMaxAttempts)
				}
			}
		})
	}
}

// TestShellRecreatedWhenServerLosesIt lets the server expire the shell
// between two commands: the second command gets a new shell transparently.
func TestShellRecreatedWhenServerLosesIt(t *testing.T) {
	l := newTestLab(t, func(o *wsman.Options) { o.IdleTimeout = time.Second })
	h, cfg := l.host(t, "ex01")
	s := newShell(t, cfg)
	for i := 0; i < 2; i++ {
		if _, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{})); err != nil {
			t.Fatalf("command %d: %v", i+1, err)
		}
		if i == 0 {
			time.Sleep(1500 * time.Millisecond) // longer than the server's IdleTimeout
		}
	}
	c := h.Counts()
	if c.Create != 2 || s.Stats().Shells != 2 {
		t.Errorf("counts %+v, %d shells made: want a second shell after the first expired", c, s.Stats().Shells)
	}
	if n := l.runner.count(ops.TimeRead); n != 2 {
		t.Errorf("the op ran %d times", n)
	}
}

// TestPool checks that a Pool hands out one Shell per host, keeps at most
// its bound of hosts open (releasing the least recently used), and deletes
// every remote shell on Close.
func TestPool(t *testing.T) {
	l := newTestLab(t, nil)
	ex01, cfg1 := l.host(t, "ex01")
	ex02, cfg2 := l.host(t, "ex02")
	configs := map[string]Config{"ex01": cfg1, "ex02": cfg2}
	p := NewPool(func(host string) (Config, error) {
		c, ok := configs[host]
		if !ok {
			return Config{}, fmt.Errorf("no host %q in the inventory", host)
		}
		return c, nil
	}, 1)
	ctx := context.Background()
	run := func(host string) *Shell {
		t.Helper()
		s, err := p.Shell(ctx, host)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RunScript(ctx, runOf(t, ops.TimeRead, ops.TimeReadArgs{})); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := run("ex01")
	if again := run("ex01"); again != a {
		t.Error("a second Shell for the same host")
	}
	run("ex02")
	p.releasing.Wait() // releases run in the background
	if n := ex01.ShellCount(); n != 0 {
		t.Errorf("ex01 keeps %d shells open beyond the pool's bound of 1", n)
	}
	run("ex01")
	if n := ex01.ShellCount(); n != 1 {
		t.Errorf("ex01 has %d shells after its reuse", n)
	}
	if _, err := p.Shell(ctx, "nowhere"); actions.KindOf(err) != actions.KindProtocol {
		t.Errorf("unknown host: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if n := ex01.ShellCount() + ex02.ShellCount(); n != 0 {
		t.Errorf("%d shells left open after Close", n)
	}
	if _, err := p.Shell(ctx, "ex01"); actions.KindOf(err) != actions.KindCanceled {
		t.Errorf("a closed pool handed out a shell: %v", err)
	}
}

// TestPoolReleasesInBackground: the Shell evicted for a new host is
// released in the background, so the new host's command does not wait for
// the old host's Delete (which here gets no answer until the client gives
// up, after closeTimeout), and Close waits for the release.
func TestPoolReleasesInBackground(t *testing.T) {
	l := newTestLab(t, nil)
	ex01, cfg1 := l.host(t, "ex01")
	_, cfg2 := l.host(t, "ex02")
	configs := map[string]Config{"ex01": cfg1, "ex02": cfg2}
	p := NewPool(func(host string) (Config, error) { return configs[host], nil }, 1)
	ctx := context.Background()
	if _, err := p.Shell(ctx, "ex01"); err != nil {
		t.Fatal(err)
	}
	if err := ex01.SetFaults(wsman.Faults{Hang: true}); err != nil {
		t.Fatal(err)
	}
	evicted := time.Now()
	s, err := p.Shell(ctx, "ex02")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunScript(ctx, runOf(t, ops.TimeRead, ops.TimeReadArgs{})); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(evicted); waited >= closeTimeout {
		t.Errorf("ex02's command returned %v after ex01 was evicted: it waited for ex01's hung Delete", waited)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(evicted); waited < closeTimeout {
		t.Errorf("Close returned %v after ex01 was evicted, before its hung Delete was given up", waited)
	}
}

// TestLogs checks the debug records: each request and command is logged
// with host, op and duration, and neither the password nor a sensitive
// argument ever is.
func TestLogs(t *testing.T) {
	l := newTestLab(t, nil)
	_, cfg := l.host(t, "ex01")
	var buf bytes.Buffer
	logger := zerolog.New(zerolog.SyncWriter(&buf)).Level(zerolog.DebugLevel)
	cfg.Logger = &logger
	s := newShell(t, cfg)
	const secret = "sensitive-argument-value"
	run := runOf(t, "test.fail", map[string]string{"secret": secret})
	run.SensitiveArgs = true
	if _, err := s.RunScript(context.Background(), run); actions.KindOf(err) != actions.KindScript {
		t.Fatalf("error %v", err)
	}
	if _, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{})); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, forbidden := range []string{labPassword, secret} {
		if strings.Contains(out, forbidden) {
			t.Errorf("the log holds %q", forbidden)
		}
	}
	for _, want := range []string{`"host":"ex01"`, `"op":"time.read"`, `"action":"Command"`, `"duration":`, `"exchanges":`, `"message":"winrm command"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
}

// TestConfigHidesPassword checks that printing a Config never shows the
// password.
func TestConfigHidesPassword(t *testing.T) {
	cfg := Config{Host: "ex01", Address: "10.0.0.5", Username: `LAB\rectify`, Password: secret.New(labPassword)}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(format, cfg); strings.Contains(s, labPassword) {
			t.Errorf("%s prints the password: %s", format, s)
		}
	}
	if _, err := New(Config{Address: "x", Username: "u", Auth: "digest", Password: secret.New(labPassword)}); err == nil || strings.Contains(err.Error(), labPassword) {
		t.Errorf("bad auth scheme: %v", err)
	}
}

// TestWarnings checks that turning certificate verification off, or all
// encryption, is logged as a warning.
func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"verified", func(*Config) {}, ""},
		{"insecure skip verify", func(c *Config) { c.InsecureSkipVerify = true }, "TLS certificate verification is off"},
		{"http with message encryption", func(c *Config) { c.HTTPS = false }, ""},
		{"plain http", func(c *Config) { c.HTTPS, c.Encryption, c.AllowUnencrypted = false, EncryptionNever, true }, "without message encryption"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := zerolog.New(&buf).Level(zerolog.WarnLevel)
			cfg := Config{Host: "ex01", Address: "ex01.lab.example.test", HTTPS: true, Username: labUser, Password: secret.New(labPassword), Logger: &logger}
			tt.edit(&cfg)
			if _, err := New(cfg); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) || strings.Contains(got, labPassword) {
				t.Errorf("log %q, want a warning containing %q", got, tt.want)
			}
		})
	}
}
