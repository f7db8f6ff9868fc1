package cli

import (
	"context"
	"errors"
	"flag"
	"strings"
)

// completionCommand writes a shell completion script.
type completionCommand struct{}

func (*completionCommand) Synopsis() string {
	return "Write the shell completion script of bash, zsh or PowerShell"
}

func (*completionCommand) Usage() string {
	return `Usage: rectify completion bash|zsh|powershell

  Writes a script that completes rectify's commands, their flags, the
  values of flags that take one of a few words, and file names, for the
  shell named:

    bash:        source <(rectify completion bash)
    zsh:         source <(rectify completion zsh)
    PowerShell:  rectify completion powershell | Out-String | Invoke-Expression

  Put the line in the shell's profile (~/.bashrc, ~/.zshrc, $PROFILE) to
  have it in every session. The script is generated from the same command
  table as "rectify help", so it knows every command of this version.`
}

func (*completionCommand) Flags(*flag.FlagSet) {}

func (*completionCommand) argWords() []string { return completionShells }

func (*completionCommand) Run(_ context.Context, a *app, args []string) int {
	if len(args) != 1 {
		return usageError(a.env.Stderr, "completion", errors.New("expected one shell: "+strings.Join(completionShells, ", ")))
	}
	if err := writeCompletion(a.env.Stdout, strings.ToLower(args[0])); err != nil {
		return usageError(a.env.Stderr, "completion", err)
	}
	return exitOK
}

var _ argWords = (*completionCommand)(nil)
