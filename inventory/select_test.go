package inventory

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSelect(t *testing.T) {
	inv := mustLoad(t, "testdata/valid/corp.hcl")
	tests := []struct {
		limit   string
		want    []string
		wantErr *SelectionError
	}{
		{limit: "", want: []string{"ex01", "ex02", "dc01", "dc02"}},
		{limit: "  ", want: []string{"ex01", "ex02", "dc01", "dc02"}},
		{limit: "ex01", want: []string{"ex01"}},
		{limit: "dc02,ex01", want: []string{"ex01", "dc02"}},
		{limit: " ex01 , ex01 ", want: []string{"ex01"}},
		{limit: "group:exchange", want: []string{"ex01", "ex02"}},
		{limit: "group:hq,group:dc", want: []string{"ex01", "dc01", "dc02"}},
		{limit: "group:dc,!dc02", want: []string{"dc01"}},
		{limit: "!dc02", want: []string{"ex01", "ex02", "dc01"}},
		{limit: "!group:dc", want: []string{"ex01", "ex02"}},
		{limit: "!group:dc,ex01", want: []string{"ex01"}},
		{limit: "ex*", want: []string{"ex01", "ex02"}},
		{limit: "*0[12],!ex*", want: []string{"dc01", "dc02"}},
		{limit: "group:e*", want: []string{"ex01", "ex02"}},
		{limit: "?c01", want: []string{"dc01"}},
		{limit: "ex03", wantErr: &SelectionError{Unknown: []string{"ex03"}}},
		{limit: "ex01,group:mailbox,!web*", wantErr: &SelectionError{Unknown: []string{"group:mailbox", "!web*"}}},
		{limit: "group:dc,!group:dc", wantErr: &SelectionError{Empty: true}},
		{limit: "ex01,,ex02", wantErr: &SelectionError{Syntax: `empty term in "ex01,,ex02"`}},
		{limit: "!", wantErr: &SelectionError{Syntax: `empty term in "!"`}},
		{limit: "group:", wantErr: &SelectionError{Syntax: `empty term in "group:"`}},
		{limit: "ex[", wantErr: &SelectionError{Syntax: `bad pattern "ex[": syntax error in pattern`}},
	}
	for _, tt := range tests {
		t.Run(tt.limit, func(t *testing.T) {
			got, err := inv.Select(tt.limit)
			if tt.wantErr != nil {
				var se *SelectionError
				if !errors.As(err, &se) {
					t.Fatalf("Select(%q) = %v, %v; want a *SelectionError", tt.limit, got, err)
				}
				if diff := cmp.Diff(tt.wantErr, se); diff != "" {
					t.Errorf("Select(%q) error mismatch (-want +got):\n%s", tt.limit, diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Select(%q): %v", tt.limit, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Select(%q) mismatch (-want +got):\n%s", tt.limit, diff)
			}
		})
	}
}

func TestSelectionErrorMessages(t *testing.T) {
	tests := []struct {
		err  *SelectionError
		want string
	}{
		{err: &SelectionError{Unknown: []string{"ex03", "group:x"}}, want: `limit: no host matches "ex03", "group:x"`},
		{err: &SelectionError{Empty: true}, want: "limit: the selection leaves no host"},
		{err: &SelectionError{Syntax: "empty term"}, want: "limit: empty term"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
