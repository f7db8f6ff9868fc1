package lab

import (
	"context"
	"encoding/json"

	"github.com/rectifyhq/rectify/actions/ops"
)

func registryGet(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.RegistryGetArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	p, err := canonicalKeyPath(args.Path)
	if err != nil {
		return nil, registryDriveError(args.Path, err)
	}
	c.host.mu.Lock()
	defer c.host.mu.Unlock()
	return opsValue(c.host.reg.get(p, args.Name)), nil
}

func registrySet(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.RegistrySetArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	p, err := canonicalKeyPath(args.Path)
	if err != nil {
		return nil, registryDriveError(args.Path, err)
	}
	v, err := parseRegistryData(args.Kind, args.Data)
	if err != nil {
		return nil, cmdletError("New-ItemProperty", "InvalidArgument: (:) [New-ItemProperty], ArgumentException", "System.ArgumentException,Microsoft.PowerShell.Commands.NewItemPropertyCommand", "%s", err.Error())
	}
	c.host.mu.Lock()
	defer c.host.mu.Unlock()
	prev := opsValue(c.host.reg.get(p, args.Name))
	if serr := checkExpect(args.Path, args.Name, prev, args.Expect); serr != nil {
		return nil, serr
	}
	created := c.host.reg.set(p, args.Name, v)
	return ops.RegistryChange{Previous: prev, Current: opsValue(c.host.reg.get(p, args.Name)), KeyCreated: created}, nil
}

func registryDelete(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.RegistryDeleteArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	p, err := canonicalKeyPath(args.Path)
	if err != nil {
		return nil, registryDriveError(args.Path, err)
	}
	c.host.mu.Lock()
	defer c.host.mu.Unlock()
	prev := opsValue(c.host.reg.get(p, args.Name))
	if serr := checkExpect(args.Path, args.Name, prev, args.Expect); serr != nil {
		return nil, serr
	}
	c.host.reg.delete(p, args.Name)
	return ops.RegistryChange{Previous: prev, Current: opsValue(c.host.reg.get(p, args.Name))}, nil
}

// checkExpect refuses a write whose target moved since it was read.
func checkExpect(path, name string, current ops.RegistryValue, expect *ops.RegistryValue) *scriptError {
	if expect == nil || sameRegistryValue(current, *expect) {
		return nil
	}
	got, _ := json.Marshal(current)
	want, _ := json.Marshal(expect)
	return thrown("stale: %s\\%s is %s, expected %s", path, name, got, want)
}

func registryDriveError(path string, err error) *scriptError {
	return cmdletError("Get-ItemProperty", "ObjectNotFound: ("+path+":String) [Get-ItemProperty], DriveNotFoundException", "DriveNotFound", "%s", err.Error())
}
