package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/rectifyhq/rectify/internal/views"
	"github.com/rectifyhq/rectify/plans"
)

// showCommand prints a saved plan for review.
type showCommand struct {
	json     bool
	markdown bool
}

func (*showCommand) Synopsis() string { return "Show a saved plan for review" }

func (*showCommand) Usage() string {
	return `Usage: rectify show [-json | -markdown] PLAN

  Shows the plan saved with "rectify plan -out PLAN": as text, as JSON, or
  as Markdown to paste into a change ticket (what, where, why, risk, how to
  undo). A plan file that was edited or damaged is refused.`
}

func (c *showCommand) Flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.json, "json", false, "print the plan as JSON")
	fs.BoolVar(&c.markdown, "markdown", false, "print the plan as Markdown for a change ticket")
}

func (c *showCommand) Run(_ context.Context, a *app, args []string) int {
	if len(args) != 1 {
		return usageError(a.env.Stderr, "show", errors.New("expected one PLAN argument"))
	}
	if c.json && c.markdown {
		return usageError(a.env.Stderr, "show", errors.New("-json and -markdown exclude each other"))
	}
	wd, err := a.env.Getwd()
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify show: %v\n", err)
		return exitError
	}
	p, err := plans.Read(resolvePath(wd, args[0]))
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify show: %s: %v\n", args[0], err)
		return exitError
	}
	switch {
	case c.json:
		err = views.PlanJSON(a.env.Stdout, p)
	case c.markdown:
		err = views.Markdown(a.env.Stdout, p)
	default:
		err = views.Plan(a.env.Stdout, p, a.style(a.env.Stdout))
	}
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify show: %v\n", err)
		return exitError
	}
	return exitOK
}
