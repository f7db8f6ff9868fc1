// Package service runs rectify under the Windows service manager, so that
// "rectify watch" runs as a Windows service: it reports the service's
// states and turns a stop or a shutdown into the cancellation that stops
// the watcher the way Ctrl-C does (the running change finishes and is
// journaled). The state machine is platform-neutral and tested
// everywhere; the adapter to the service manager builds on Windows only.
package service
