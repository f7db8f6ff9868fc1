package cli

import (
	"fmt"
	"io"
	"strings"
)

// maxDiffCells bounds the work of one diff (lines of one side times lines
// of the other).
const maxDiffCells = 16 << 20

// writeDiff writes a unified diff of a and b, the old and new contents of
// the file called name, with three lines of context.
func writeDiff(w io.Writer, name string, a, b []byte) {
	x, y := splitLines(string(a)), splitLines(string(b))
	fmt.Fprintf(w, "--- %s\n+++ %s (formatted)\n", name, name)
	if len(x)*len(y) > maxDiffCells {
		fmt.Fprintln(w, "@@ the file is too large to show its changes @@")
		return
	}
	// lcs[i][j] is the length of the longest common subsequence of x[i:]
	// and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
		i, j int // line indexes in x and y before this line
	}
	var ops []line
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			ops = append(ops, line{' ', x[i], i, j})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, line{'-', x[i], i, j})
			i++
		default:
			ops = append(ops, line{'+', y[j], i, j})
			j++
		}
	}
	const context = 3
	for k := 0; k < len(ops); {
		if ops[k].op == ' ' {
			k++
			continue
		}
		start := max(0, k-context)
		end := k
		for end < len(ops) {
			if ops[end].op != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].op == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				end = min(end+context, len(ops))
				break
			}
			end = run
		}
		oldN, newN := 0, 0
		for _, o := range ops[start:end] {
			if o.op != '+' {
				oldN++
			}
			if o.op != '-' {
				newN++
			}
		}
		fmt.Fprintf(w, "@@ -%d,%d +%d,%d @@\n", ops[start].i+1, oldN, ops[start].j+1, newN)
		for _, o := range ops[start:end] {
			fmt.Fprintf(w, "%c%s\n", o.op, o.text)
		}
		k = end
	}
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
