//go:build !windows

package service

import (
	"context"
	"errors"
)

// IsService reports whether the process was started by the Windows
// service manager: never, off Windows.
func IsService() (bool, error) { return false, nil }

// Run runs a Windows service; off Windows there is none.
func Run(string, func(context.Context) int) (int, error) {
	return 1, errors.New("a Windows service runs only on Windows")
}
