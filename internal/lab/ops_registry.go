package lab

import (
	"context"

	"github.com/rectifyhq/rectify/ops"
)

func registryGet(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.RegistryGetArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if args.Path == "" {
		return nil, thrown("registry.get: path is required")
	}
	p, err := canonicalKeyPath(args.Path)
	if err != nil {
		return nil, thrown("%s", err.Error())
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
	if args.Path == "" {
		return nil, thrown("registry.set: path is required")
	}
	v, err := parseRegistryData(args.Kind, args.Data)
	if err != nil {
		return nil, thrown("%s", err.Error())
	}
	p, err := canonicalKeyPath(args.Path)
	if err != nil {
		return nil, thrown("%s", err.Error())
	}
	c.host.mu.Lock()
	defer c.host.mu.Unlock()
	prev := opsValue(c.host.reg.get(p, args.Name))
	if serr := checkExpect(args.Path, args.Name, prev, args.Expect); serr != nil {
		return nil, serr
	}
	c.host.reg.set(p, args.Name, v)
	return ops.RegistryChange{Previous: prev, Current: opsValue(c.host.reg.get(p, args.Name)), KeyCreated: !prev.KeyExists}, nil
}

func registryDelete(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.RegistryDeleteArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if args.Path == "" {
		return nil, thrown("registry.delete: path is required")
	}
	p, err := canonicalKeyPath(args.Path)
	if err != nil {
		return nil, thrown("%s", err.Error())
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
	return thrown("stale: the registry value changed since it was read")
}
