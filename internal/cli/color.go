package cli

import "io"

// colorFor reports whether output to w may be coloured: only on a
// terminal, and not when the environment variable NO_COLOR is set to
// anything but the empty string (the NO_COLOR convention) or TERM is
// "dumb".
func colorFor(env Env, w io.Writer) bool {
	if v, ok := env.LookupEnv("NO_COLOR"); ok && v != "" {
		return false
	}
	if v, ok := env.LookupEnv("TERM"); ok && v == "dumb" {
		return false
	}
	return env.IsTerminal(w)
}

// color reports whether the command may colour its output to w.
func (a *app) color(w io.Writer) bool { return colorFor(a.env, w) }
