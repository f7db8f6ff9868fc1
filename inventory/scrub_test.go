package inventory

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// TestScrub checks the second line of defence: whatever env() or file()
// returned is removed from diagnostics that quote it despite the marks,
// in the forms a message would quote it.
func TestScrub(t *testing.T) {
	tests := []struct {
		name string
		// read are the values env() and file() returned.
		read []string
		text string
		want string
	}{
		{name: "as read", read: []string{"s3cret-pass"},
			text: `bind with "s3cret-pass" refused`, want: `bind with "(sensitive)" refused`},
		// A password file ends with a newline; the value is used, and so
		// quoted, without it (trimspace(file("pw"))).
		{name: "file content without its newline", read: []string{"s3cret-pass\n"},
			text: `bind with "s3cret-pass" refused`, want: `bind with "(sensitive)" refused`},
		{name: "padded environment value", read: []string{"  s3cret-pass\t"},
			text: `bind with "s3cret-pass" refused`, want: `bind with "(sensitive)" refused`},
		{name: "with its newline", read: []string{"s3cret-pass\n"},
			text: "line: s3cret-pass\nnext", want: "line: (sensitive)next"},
		{name: "longest first", read: []string{"s3cret", "s3cret-pass"},
			text: "s3cret-pass and s3cret", want: "(sensitive) and (sensitive)"},
		{name: "too short to scrub", read: []string{"abc"},
			text: "abc is a word", want: "abc is a word"},
		{name: "short once trimmed", read: []string{" ab \n"},
			text: "ab is a word", want: "ab is a word"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s secretLog
			for _, v := range tt.read {
				s.record(v)
			}
			diags := s.scrub(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: tt.text, Detail: tt.text}})
			if diff := cmp.Diff(tt.want, diags[0].Summary); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, diags[0].Detail); diff != "" {
				t.Errorf("detail (-want +got):\n%s", diff)
			}
		})
	}
}
