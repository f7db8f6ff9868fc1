package inventory

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// minScrubLength is the shortest secret scrub removes from messages;
// shorter strings would rewrite ordinary words.
const minScrubLength = 4

// secretLog remembers what env() and file() returned while the inventory
// was evaluated, so that scrub can remove those values from diagnostics.
// Marks keep secrets out of messages already; this is the second line of
// defence against a message that quotes a value despite them.
type secretLog struct {
	values []string
}

// watch wraps env and file in fns so that their results are recorded.
func (s *secretLog) watch(fns map[string]function.Function) map[string]function.Function {
	for _, name := range []string{"env", "file"} {
		f, ok := fns[name]
		if !ok {
			continue
		}
		fns[name] = function.New(&function.Spec{
			Description: f.Description(),
			Params:      f.Params(),
			VarParam:    f.VarParam(),
			Type:        f.ReturnTypeForValues,
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				v, err := f.Call(args)
				if err == nil && v.IsKnown() && !v.IsNull() {
					u, _ := v.UnmarkDeep()
					if u.Type() == cty.String {
						s.record(u.AsString())
					}
				}
				return v, err
			},
		})
	}
	return fns
}

func (s *secretLog) record(v string) {
	for _, x := range []string{v, strings.TrimSpace(v)} {
		if len(x) >= minScrubLength {
			s.values = append(s.values, x)
		}
	}
}

// scrub replaces every recorded value in the diagnostics' text, longest
// first, with "(sensitive)".
func (s *secretLog) scrub(diags hcl.Diagnostics) hcl.Diagnostics {
	if len(s.values) == 0 {
		return diags
	}
	vals := append([]string(nil), s.values...)
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	clean := func(text string) string {
		for _, v := range vals {
			text = strings.ReplaceAll(text, v, secret.Redacted)
		}
		return text
	}
	for _, d := range diags {
		d.Summary = clean(d.Summary)
		d.Detail = clean(d.Detail)
	}
	return diags
}
