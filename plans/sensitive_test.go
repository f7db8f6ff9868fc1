package plans

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const canary = "canary-7Hq2-secret"

type registryLike struct {
	Path string `json:"path"`
	Data any    `json:"data"`
}

func TestRedactKeepsOnlySaltedHashes(t *testing.T) {
	salt := Salt(bytes.Repeat([]byte{1}, SaltSize))
	other := Salt(bytes.Repeat([]byte{2}, SaltSize))
	clear, err := json.Marshal(registryLike{Path: `HKLM:\SOFTWARE\Rectify`, Data: Sensitive{Value: canary}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(clear), canary) {
		t.Fatalf("in memory the payload must carry the value: %s", clear)
	}
	red, err := Redact(clear, salt)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(red), canary) {
		t.Fatalf("the redacted payload carries the secret: %s", red)
	}
	again, _ := Redact(clear, salt)
	if !bytes.Equal(red, again) {
		t.Errorf("redacting twice gives %s and %s", red, again)
	}
	if twice, _ := Redact(red, salt); !bytes.Equal(red, twice) {
		t.Errorf("redacting a redacted document changed it: %s", twice)
	}
	if withOther, _ := Redact(clear, other); bytes.Equal(red, withOther) {
		t.Errorf("two salts give the same hash: %s", red)
	}
	changed, _ := json.Marshal(registryLike{Path: `HKLM:\SOFTWARE\Rectify`, Data: Sensitive{Value: canary + "x"}})
	if r, _ := Redact(changed, salt); bytes.Equal(red, r) {
		t.Errorf("another secret gives the same redacted payload")
	}
	var doc map[string]any
	if err := json.Unmarshal(red, &doc); err != nil || !IsHidden(doc["data"]) {
		t.Errorf("the redacted value is not recognised as hidden: %s", red)
	}

	plain, err := Reveal(clear)
	if err != nil {
		t.Fatal(err)
	}
	var got registryLike
	if err := json.Unmarshal(plain, &got); err != nil || got.Data != canary {
		t.Errorf("Reveal = %s (%v), want the value unwrapped", plain, err)
	}
	if _, err := Reveal(red); !errors.Is(err, ErrHidden) {
		t.Errorf("Reveal of a recorded value: %v, want ErrHidden", err)
	}
	untouched := []byte(`{"b":1, "a":[2]}`)
	if out, err := Reveal(untouched); err != nil || !bytes.Equal(out, untouched) {
		t.Errorf("Reveal changed a document without secrets: %s %v", out, err)
	}
}

// TestRedactFindsSecretsAtAnyDepth: a secret inside a list or a nested
// object (a MultiString value, a list of credentials) is hidden like one at
// the top, and Reveal unwraps each where it stands.
func TestRedactFindsSecretsAtAnyDepth(t *testing.T) {
	salt := Salt(bytes.Repeat([]byte{1}, SaltSize))
	docs := []any{
		map[string]any{"data": []any{"plain", Sensitive{Value: canary}}},
		map[string]any{"credentials": []any{map[string]any{"user": "u", "password": Sensitive{Value: canary}}}},
		[]any{[]any{Sensitive{Value: canary}}},
	}
	for _, doc := range docs {
		clear, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		red, err := Redact(clear, salt)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(red), canary) || !strings.Contains(string(red), hashPrefix) {
			t.Errorf("Redact(%s) = %s: want the secret replaced by its hash", clear, red)
		}
		plain, err := Reveal(clear)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(plain), clearKey) || !strings.Contains(string(plain), `"`+canary+`"`) {
			t.Errorf("Reveal(%s) = %s: want the value unwrapped where it stands", clear, plain)
		}
		if _, err := Reveal(red); !errors.Is(err, ErrHidden) {
			t.Errorf("Reveal(%s): %v, want ErrHidden", red, err)
		}
	}
}

func TestRedactChangeHidesSensitiveAttributes(t *testing.T) {
	salt := Salt(bytes.Repeat([]byte{1}, SaltSize))
	payload, _ := json.Marshal(registryLike{Path: "p", Data: Sensitive{Value: canary}})
	c := Change{Action: Update, Object: "o", Payload: payload, Attrs: []Attr{
		{Name: "data", Before: "old-" + canary, After: canary, Sensitive: true},
		{Name: "type", After: "String"},
	}}
	r, err := RedactChange(c, salt)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	if strings.Contains(string(b), canary) {
		t.Fatalf("the recorded change carries the secret: %s", b)
	}
	if r.Attrs[1].After != "String" {
		t.Errorf("a plain attribute changed: %v", r.Attrs[1].After)
	}
	// A recorded change read back from a plan compares equal to a re-plan.
	var back Change
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if again, _ := RedactChange(back, salt); !cmpJSON(t, again, r) {
		t.Errorf("redacting a recorded change changed it")
	}
	if d, err := Differences(back, r); err != nil || len(d) != 0 {
		t.Errorf("Differences(read back, re-plan) = %v, %v; want none", d, err)
	}
}

func cmpJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func TestDifferences(t *testing.T) {
	salt := Salt(bytes.Repeat([]byte{1}, SaltSize))
	base := func() Change {
		p, _ := json.Marshal(registryLike{Path: `HKLM:\SOFTWARE\Rectify`, Data: Sensitive{Value: canary}})
		c, err := RedactChange(Change{Action: Create, Object: "value", Payload: p, ExpiresIn: "24h0m0s",
			Attrs:  []Attr{{Name: "data", After: canary, Sensitive: true}, {Name: "skew", Before: "5m10s", Volatile: true}},
			Reason: "why"}, salt)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name string
		edit func(c *Change)
		want []string
	}{
		{"same", func(*Change) {}, nil},
		{"explanations differ", func(c *Change) { c.Reason, c.Risk, c.Findings = "other", "risk", []string{"x"} }, nil},
		{"a volatile measurement moved", func(c *Change) { c.Attrs[1].Before = "5m20s" }, nil},
		{"payload key order", func(c *Change) {
			var m map[string]any
			_ = json.Unmarshal(c.Payload, &m)
			c.Payload = json.RawMessage(`{"path":` + mustJSON(m["path"]) + `, "data":` + mustJSON(m["data"]) + `}`)
		}, nil},
		{"path under Run", func(c *Change) {
			c.Payload = bytes.Replace(c.Payload, []byte(`SOFTWARE\\Rectify`), []byte(`SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run`), 1)
		}, []string{"payload"}},
		{"another secret", func(c *Change) {
			p, _ := json.Marshal(registryLike{Path: `HKLM:\SOFTWARE\Rectify`, Data: Sensitive{Value: "other"}})
			c.Payload, _ = Redact(p, salt)
		}, []string{"payload"}},
		{"blocked turned into a change", func(c *Change) { c.Action = Delete }, []string{"action"}},
		{"object", func(c *Change) { c.Object = "other" }, []string{"object"}},
		{"attribute", func(c *Change) { c.Attrs[0].Sensitive = false }, []string{"attributes"}},
		{"expiry", func(c *Change) { c.ExpiresIn = "876000h" }, []string{"expiry"}},
		{"revert", func(c *Change) { c.Revert = true }, []string{"expiry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := base()
			reviewed := base()
			tt.edit(&reviewed)
			got, err := Differences(reviewed, now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Differences (-want +got):\n%s", diff)
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
