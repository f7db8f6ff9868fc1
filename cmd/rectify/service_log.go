package main

import (
	"os"
	"path/filepath"
)

// serviceLog is the file a Windows service's output goes to:
// RECTIFY_SERVICE_LOG if the service's environment sets it, else
// %ProgramData%\rectify\service.log (its directory created).
func serviceLog() string {
	if p := os.Getenv("RECTIFY_SERVICE_LOG"); p != "" {
		return p
	}
	dir := filepath.Join(os.Getenv("ProgramData"), "rectify")
	if os.Getenv("ProgramData") == "" {
		dir = filepath.Join(os.TempDir(), "rectify")
	}
	_ = os.MkdirAll(dir, 0o700)
	return filepath.Join(dir, "service.log")
}
