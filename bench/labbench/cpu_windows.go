//go:build windows

package main

import (
	"os"
	"syscall"
	"time"
)

// selfCPU is the CPU time this process (the lab) has used.
func selfCPU() time.Duration {
	h, err := syscall.GetCurrentProcess()
	if err != nil {
		return 0
	}
	var created, exited, kernel, user syscall.Filetime
	if err := syscall.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return 0
	}
	return filetimeSpan(kernel) + filetimeSpan(user)
}

// childUsage is the CPU time of an exited child; Windows does not report
// its peak resident set size through the process state, so that is 0.
func childUsage(ps *os.ProcessState) (maxRSS int64, cpu time.Duration) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0
	}
	return 0, filetimeSpan(ru.KernelTime) + filetimeSpan(ru.UserTime)
}

// filetimeSpan is a duration Windows counts in 100 ns units.
func filetimeSpan(f syscall.Filetime) time.Duration {
	return time.Duration((int64(f.HighDateTime)<<32 | int64(f.LowDateTime)) * 100)
}
