package cli

import (
	"io"

	"github.com/rectifyhq/rectify/internal/views"
)

// progress returns the view of a run's progress written to w; not on a
// terminal it reports the reads at the pace of the environment's ticker.
// The caller closes it.
func (a *app) progress(w io.Writer) *views.Progress {
	p := views.NewProgress(w, a.style(w), a.env.IsTerminal(w))
	p.NewTicker = a.env.ProgressTicker
	return p
}
