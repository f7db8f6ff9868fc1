package wsman

import (
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/masterzen/winrm"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var messageIDPattern = regexp.MustCompile(`<a:MessageID>uuid:[0-9A-F-]{36}</a:MessageID>`)

// TestRepliesGolden pins the envelopes the server answers with (the fresh
// MessageID masked), and checks that masterzen's parsers read them.
func TestRepliesGolden(t *testing.T) {
	const (
		shellID   = "0F4A3C7E-5B2D-4E1F-9A8B-7C6D5E4F3A2B"
		commandID = "D1E2F3A4-B5C6-4D7E-8F90-A1B2C3D4E5F6"
		relatesTo = "uuid:0b6c2d7e-8f9a-4b1c-9d2e-3f4a5b6c7d8e"
		machine   = "ex01.lab.example.test"
	)
	tests := []struct {
		name  string
		reply []byte
		check func(t *testing.T, body string)
	}{
		{"create", envelope(actionCreateResponse, relatesTo, createdBody("https://127.1.0.11:5986/wsman", shellID,
			`LAB\rectify`, "127.0.0.1", "stdin", "stdout stderr", 2*time.Hour)), func(t *testing.T, body string) {
			if id, err := winrm.ParseOpenShellResponse(body); err != nil || id != shellID {
				t.Errorf("masterzen reads shell id %q (%v)", id, err)
			}
		}},
		{"command", envelope(actionCommandResponse, relatesTo, commandBody(commandID)), func(t *testing.T, body string) {
			if id, err := winrm.ParseExecuteCommandResponse(body); err != nil || id != commandID {
				t.Errorf("masterzen reads command id %q (%v)", id, err)
			}
		}},
		{"receive-running", envelope(actionReceiveResponse, relatesTo,
			receivedBody(commandID, []byte("out\r\n"), []byte("err"), false, 0)), func(t *testing.T, body string) {
			var out, errOut strings.Builder
			done, _, err := winrm.ParseSlurpOutputErrResponse(body, &out, &errOut)
			if err != nil || done || out.String() != "out\r\n" || errOut.String() != "err" {
				t.Errorf("masterzen reads done %v stdout %q stderr %q (%v)", done, out.String(), errOut.String(), err)
			}
		}},
		{"receive-done", envelope(actionReceiveResponse, relatesTo, receivedBody(commandID, nil, nil, true, 7)),
			func(t *testing.T, body string) {
				var out, errOut strings.Builder
				done, code, err := winrm.ParseSlurpOutputErrResponse(body, &out, &errOut)
				if err != nil || !done || code != 7 {
					t.Errorf("masterzen reads done %v code %d (%v)", done, code, err)
				}
			}},
		{"fault-shell-not-found", faultEnvelope(faultShellNotFound(shellID), relatesTo, machine), nil},
		{"fault-timed-out", faultEnvelope(faultTimedOut(), relatesTo, machine), nil},
		{"fault-encoding-limit", faultEnvelope(faultEncodingLimit(500), "", machine), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := string(tt.reply)
			if err := xml.Unmarshal(tt.reply, new(struct{})); err != nil {
				t.Fatalf("not XML: %v", err)
			}
			if strings.Count(body, "<a:MessageID>") != 1 || !messageIDPattern.MatchString(body) {
				t.Fatalf("no upper-case MessageID in %s", body)
			}
			got := messageIDPattern.ReplaceAllString(body, "<a:MessageID>uuid:MESSAGE-ID</a:MessageID>") + "\n"
			path := filepath.Join("testdata", "golden", tt.name+".xml")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
			if tt.check != nil {
				tt.check(t, body)
			}
		})
	}
}
