package plans

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func samplePlan(t testing.TB) *Plan {
	t.Helper()
	return &Plan{
		FormatVersion:  FormatVersion,
		CreatedAt:      time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC),
		RectifyVersion: "test",
		Salt:           Salt(bytes.Repeat([]byte{7}, SaltSize)),
		Playbook:       PlaybookRef{Name: "exchange-454", KB: "979174", Path: "pb", Digest: "sha256:aa"},
		Inventory:      InventoryRef{Path: "inv.hcl", Digest: "sha256:bb"},
		Windows:        []Window{mustWindow(t, "0 22 * * SAT", 4*time.Hour, "Europe/Berlin")},
		Rollout:        Rollout{Serial: mustAmount(t, "1")},
		Hosts:          []Host{{Name: "ex01"}, {Name: "dc02", Error: "connect: refused"}},
		Steps: []Step{{Name: "smtp", Action: "ad.spn", AutoCorrect: true,
			Source: &SourceRange{File: "/pb/playbook.hcl", Start: SourcePos{Line: 12, Column: 1, Byte: 300}, End: SourcePos{Line: 12, Column: 21, Byte: 320}}}},
		Instances: []Instance{{
			Address: Address("smtp", "ex01"), Step: "smtp", Action: "ad.spn", Host: "ex01",
			Config:         json.RawMessage(`{"value":{"services":["SMTP"]},"type":["object",{"services":["list","string"]}]}`),
			Observed:       json.RawMessage(`{"spns":["SMTP/EX01"]}`),
			ObservedDigest: "sha256:cc",
			Change: Change{Action: Create, Object: "SPN SMTP/ex01.corp.example.com on EX01$",
				Attrs:  []Attr{{Name: "servicePrincipalName", After: []any{"SMTP/ex01.corp.example.com"}}},
				Reason: "KB 979174 step 3: the Exchange server's computer account must hold its SMTP SPNs <&>", KBStep: "3"},
		}},
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	p := samplePlan(t)
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := Write(path, p); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("round trip changed the plan (-want +got):\n%s", diff)
	}
	s := got.Summary()
	if s.Create != 1 || s.Errors != 1 || !s.Changes() {
		t.Errorf("summary = %+v", s)
	}
}

// TestWriteLaysOutAsBefore checks that the file Write lays out by hand is
// byte for byte the one json.MarshalIndent made of the same plan, so that
// files written before and after read and diff alike.
func TestWriteLaysOutAsBefore(t *testing.T) {
	p := samplePlan(t)
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := Write(path, p); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	body, err := Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	want, err := json.MarshalIndent(file{FormatVersion: p.FormatVersion, Digest: "sha256:" + hex.EncodeToString(sum[:]), Plan: body}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(append(want, '\n')), string(got)); diff != "" {
		t.Errorf("plan file (-MarshalIndent +Write):\n%s", diff)
	}
}

func TestReadRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "plan.json")
	if err := Write(good, samplePlan(t)); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tampered := write("tampered.json", strings.Replace(string(raw), `"action": "create"`, `"action": "delete"`, 1))
	if string(raw) == mustRead(t, tampered) {
		t.Fatal("test did not tamper with the plan")
	}
	newer := write("newer.json", strings.Replace(string(raw), fmt.Sprintf(`"format_version": %d`, FormatVersion), `"format_version": 99`, 1))
	older := write("older.json", strings.Replace(string(raw), fmt.Sprintf(`"format_version": %d`, FormatVersion), `"format_version": 2`, 1))
	tests := []struct {
		path  string
		check func(error) bool
	}{
		{tampered, func(err error) bool { return errors.Is(err, ErrTampered) }},
		{newer, func(err error) bool { var v *VersionError; return errors.As(err, &v) && v.Got == 99 }},
		{older, func(err error) bool {
			var v *VersionError
			return errors.As(err, &v) && v.Got == 2 && strings.Contains(err.Error(), "make a new plan with this rectify")
		}},
		{write("bad-source.json", rehash(t, raw, func(body string) string {
			return strings.Replace(body, `"start":{"line":12,`, `"start":{"line":0,`, 1)
		})), func(err error) bool { return err != nil && strings.Contains(err.Error(), "not a range of the file") }},
		{write("no-digest.json", strings.Replace(string(raw), `"digest": "sha256:`, `"digest": "", "x": "`, 1)), func(err error) bool { return err != nil }},
		{write("empty-digest.json", emptyDigest(t, raw)), func(err error) bool { return errors.Is(err, ErrNoDigest) }},
		{write("rehashed.json", rehash(t, raw, func(body string) string {
			return strings.Replace(body, `"kb_step":"3"`, `"kb_step":"3","kb_step":"4"`, 1)
		})), func(err error) bool { return errors.Is(err, ErrNotCanonical) }},
		{write("no-salt.json", rehash(t, raw, func(body string) string {
			return regexp.MustCompile(`"salt":"[^"]*"`).ReplaceAllString(body, `"salt":null`)
		})), func(err error) bool { return err != nil && strings.Contains(err.Error(), "no salt") }},
		{write("no-inventory-digest.json", rehash(t, raw, func(body string) string {
			return strings.Replace(body, `"digest":"sha256:bb"`, `"digest":""`, 1)
		})), func(err error) bool { return err != nil && strings.Contains(err.Error(), "no inventory digest") }},
		{write("no-observed-digest.json", rehash(t, raw, func(body string) string {
			return strings.Replace(body, `,"observed_digest":"sha256:cc"`, ``, 1)
		})), func(err error) bool { return err != nil && strings.Contains(err.Error(), "no observed-state digest") }},
		{write("garbage.json", "\x00\x01garbage"), func(err error) bool { return err != nil && strings.Contains(err.Error(), "not a rectify plan file") }},
		{write("empty.json", ""), func(err error) bool { return err != nil }},
		{filepath.Join(dir, "missing.json"), func(err error) bool { return errors.Is(err, os.ErrNotExist) }},
	}
	for _, tt := range tests {
		_, err := Read(tt.path)
		if !tt.check(err) {
			t.Errorf("Read(%s) error = %v", filepath.Base(tt.path), err)
		}
	}
}

func TestUnknownActionRefused(t *testing.T) {
	var c Change
	if err := json.Unmarshal([]byte(`{"action":"format-c"}`), &c); err == nil {
		t.Error("an unknown change action was accepted")
	}
}

// rehash applies edit to the plan body of a plan file and writes the digest
// of the edited body, as someone editing a plan by hand would.
func rehash(t testing.TB, raw []byte, edit func(body string) string) string {
	t.Helper()
	var f file
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	if err := json.Compact(&body, f.Plan); err != nil {
		t.Fatal(err)
	}
	edited := edit(body.String())
	if edited == body.String() {
		t.Fatalf("the edit changed nothing in %s", body.String())
	}
	sum := sha256.Sum256([]byte(edited))
	f.Plan, f.Digest = json.RawMessage(edited), "sha256:"+hex.EncodeToString(sum[:])
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func emptyDigest(t *testing.T, raw []byte) string {
	t.Helper()
	var f file
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	f.Digest = ""
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzDecode feeds arbitrary bytes to the plan file decoder: it must
// refuse what it cannot read, never panic, and accept only files whose
// digest matches.
func FuzzDecode(f *testing.F) {
	var good bytes.Buffer
	p := samplePlan(f)
	path := filepath.Join(f.TempDir(), "plan.json")
	if err := Write(path, p); err != nil {
		f.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	good.Write(raw)
	f.Add(good.Bytes())
	f.Add([]byte(`{"format_version":2,"digest":"sha256:00","plan":{}}`))
	f.Add([]byte(`{"format_version":2,"digest":"","plan":null}`))
	f.Add([]byte("{"))
	f.Add([]byte(rehash(f, raw, func(body string) string { return strings.Replace(body, `"name":"ex01"`, `"name":"ex\u0030"`, 1) })))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(bytes.NewReader(b))
		if err != nil {
			return
		}
		// Whatever was accepted must encode to the digest it carried.
		var carried file
		if err := json.Unmarshal(b, &carried); err != nil {
			t.Fatalf("an accepted plan file is not JSON: %v", err)
		}
		got, err := Digest(p)
		if err != nil {
			t.Fatalf("an accepted plan does not encode: %v", err)
		}
		if got != carried.Digest {
			t.Fatalf("an accepted plan encodes to digest %s, but carried %s", got, carried.Digest)
		}
	})
}
