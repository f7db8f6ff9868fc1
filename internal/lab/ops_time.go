package lab

import (
	"context"
	"strings"

	"github.com/rectifyhq/rectify/ops"
)

func timeRead(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.TimeReadArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	skew, set := c.host.skewTime()
	return ops.TimeReading{
		UTC:             c.host.Now().Format("2006-01-02T15:04:05.0000000Z"),
		SkewTimeMinutes: int(skew.Minutes()),
		SkewTimeSet:     set,
		IsDC:            c.host.Role == RoleDC,
		PDCEmulator:     c.host.PDC,
	}, nil
}

func timeResync(ctx context.Context, c *opCall) (any, *scriptError) {
	var args ops.TimeResyncArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	config := []string{"/config", "/syncfromflags:domhier", "/update"}
	resync := []string{"/resync", "/rediscover"}
	out := ops.CommandOutput{Commands: []ops.CommandRun{c.nativeRun(ctx, "w32tm", config)}}
	c.host.SetService("w32time", "Running")
	out.Commands = append(out.Commands, ops.CommandRun{Command: "Restart-Service w32time", Output: "Running"})
	out.Commands = append(out.Commands, c.nativeRun(ctx, "w32tm", resync))
	return out, nil
}

// nativeRun runs a native program as the scripts' Invoke-NativeCommand
// does, in the op's logon session (ctx): its lines joined by LF, without
// the final line break.
func (c *opCall) nativeRun(ctx context.Context, program string, argv []string) ops.CommandRun {
	text, code := c.org.native(ctx, c.host, program, argv)
	text = strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	return ops.CommandRun{Command: program + " " + strings.Join(argv, " "), ExitCode: code, Output: text}
}
