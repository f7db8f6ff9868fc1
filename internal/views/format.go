package views

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/rectifyhq/rectify/plans"
)

// Style colours text on terminals and leaves it plain elsewhere.
type Style struct{ Color bool }

func (s Style) wrap(code, text string) string {
	if !s.Color || text == "" {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

// Bold, Green, Yellow, Red and Cyan colour text when the style allows.
func (s Style) Bold(t string) string   { return s.wrap("1", t) }
func (s Style) Green(t string) string  { return s.wrap("32", t) }
func (s Style) Yellow(t string) string { return s.wrap("33", t) }
func (s Style) Red(t string) string    { return s.wrap("31", t) }
func (s Style) Cyan(t string) string   { return s.wrap("36", t) }

// value renders a plain JSON value the way HCL would write it; a recorded
// sensitive value is "(sensitive)".
func value(v any) string {
	if plans.IsHidden(v) {
		return sensitiveText
	}
	switch x := v.(type) {
	case nil:
		return "(none)"
	case string:
		return fmt.Sprintf("%q", x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = value(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprintf("%q", e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		if len(x) == 0 {
			return "{}"
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + " = " + value(x[k])
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprintf("%d", int64(x))
		}
		return fmt.Sprintf("%g", x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// hang indents every line of s after the first by indent, so that text of
// several lines (a command's output in an error) stays inside the block
// its first line opens instead of running back to the margin.
func hang(s, indent string) string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}
