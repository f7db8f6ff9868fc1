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
	}, nil
}

func timeConfig(ctx context.Context, c *opCall) (any, *scriptError) {
	var args ops.TimeConfigArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	h := c.host
	out := ops.TimeKeeping{
		IsDC:               h.Role == RoleDC,
		PDCEmulator:        h.PDC,
		Parameters:         h.timeSettings(W32TimeParametersKey),
		Policy:             h.timeSettings(W32TimePolicyKey),
		HyperVTimeProvider: h.registryValue(VMICTimeProviderKey, "Enabled"),
	}
	_, out.HyperVGuest, _ = h.RegistryValue(HyperVGuestKey, "HostName")
	if h.vm.kind == HypervisorVMware {
		run := c.nativeRun(ctx, vmwareToolbox, []string{"timesync", "status"})
		run.Command = "VMwareToolboxCmd.exe timesync status"
		out.VMwareTimeSync = &run
	}
	return out, nil
}

func timeResync(ctx context.Context, c *opCall) (any, *scriptError) {
	var args ops.TimeResyncArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	out := ops.TimeResyncResult{
		Previous:              c.host.timeSettings(W32TimeParametersKey),
		PreviousSource:        c.nativeRun(ctx, "w32tm", []string{"/query", "/source"}),
		PreviousConfiguration: c.nativeRun(ctx, "w32tm", []string{"/query", "/configuration"}),
	}
	out.Commands = append(out.Commands, c.nativeRun(ctx, "w32tm", []string{"/config", "/syncfromflags:domhier", "/update"}))
	c.host.SetService("w32time", "Running")
	out.Commands = append(out.Commands, ops.CommandRun{Command: "Restart-Service w32time", Output: "Running"})
	out.Commands = append(out.Commands, c.nativeRun(ctx, "w32tm", []string{"/resync", "/rediscover"}))
	return out, nil
}

func timeRestore(ctx context.Context, c *opCall) (any, *scriptError) {
	var args ops.TimeRestoreArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	h := c.host
	before := h.timeSettings(W32TimeParametersKey)
	if now, _ := before.Type.Data.(string); !before.Type.Exists || now != args.ExpectType {
		return nil, thrown("stale: W32Time's Type changed since the resync set it")
	}
	for _, v := range []struct {
		name     string
		recorded ops.RegistryValue
	}{{"Type", args.Settings.Type}, {"NtpServer", args.Settings.NtpServer}} {
		if !v.recorded.Exists {
			h.deleteRegistryValue(W32TimeParametersKey, v.name)
			continue
		}
		if v.recorded.Kind != ops.KindString && v.recorded.Kind != ops.KindExpandString {
			return nil, thrown("time.restore: %s must be a String or ExpandString value, not %s", v.name, v.recorded.Kind)
		}
		data, _ := v.recorded.Data.(string)
		_ = h.SetRegistryValue(W32TimeParametersKey, v.name, RegistryValue{Kind: v.recorded.Kind, Data: data})
	}
	return ops.TimeRestoreResult{Before: before, Commands: []ops.CommandRun{
		c.nativeRun(ctx, "w32tm", []string{"/config", "/update"}),
		c.nativeRun(ctx, "w32tm", []string{"/resync", "/rediscover"}),
	}}, nil
}

// timeSettings reads Type and NtpServer under key as registry.get reports
// them.
func (h *Host) timeSettings(key string) ops.W32TimeSettings {
	return ops.W32TimeSettings{Type: h.registryValue(key, "Type"), NtpServer: h.registryValue(key, "NtpServer")}
}

// registryValue reads one value as registry.get reports it.
func (h *Host) registryValue(path, name string) ops.RegistryValue {
	p, err := canonicalKeyPath(path)
	if err != nil {
		return ops.RegistryValue{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return opsValue(h.reg.get(p, name))
}

// deleteRegistryValue removes one value if it exists.
func (h *Host) deleteRegistryValue(path, name string) {
	p, err := canonicalKeyPath(path)
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reg.delete(p, name)
}

// nativeRun runs a native program as the scripts' Invoke-NativeCommand
// does, in the op's logon session (ctx): its lines joined by LF, without
// the final line break.
func (c *opCall) nativeRun(ctx context.Context, program string, argv []string) ops.CommandRun {
	text, code := c.org.native(ctx, c.host, program, argv)
	text = strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	return ops.CommandRun{Command: program + " " + strings.Join(argv, " "), ExitCode: code, Output: text}
}
