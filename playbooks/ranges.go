package playbooks

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// sortByRange sorts items stably by file name and start offset.
func sortByRange[T any](items []T, rangeOf func(T) hcl.Range) {
	sort.SliceStable(items, func(i, j int) bool {
		return rangeLess(rangeOf(items[i]), rangeOf(items[j]))
	})
}

func rangeLess(a, b hcl.Range) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	return a.Start.Byte < b.Start.Byte
}

// tidyDiagnostics drops repeated diagnostics (an expression evaluated for
// each element of a list reports the same problem for each) and orders
// the rest as they appear in the files, those without a range first, so
// that output reads from top to bottom.
func tidyDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	type key struct {
		sev             hcl.DiagnosticSeverity
		summary, detail string
		subject         hcl.Range
	}
	seen := map[key]bool{}
	out := diags[:0]
	for _, d := range diags {
		k := key{sev: d.Severity, summary: d.Summary, detail: d.Detail}
		if d.Subject != nil {
			k.subject = *d.Subject
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	sortDiagnostics(out)
	return out
}

// sortDiagnostics orders diagnostics as they appear in the files, those
// without a range first.
func sortDiagnostics(diags hcl.Diagnostics) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		default:
			return rangeLess(*a, *b)
		}
	})
}
