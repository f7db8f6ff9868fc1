// Package metricstest scrapes a /metrics endpoint over HTTP and parses it
// with the Prometheus text parser, for tests that check what a watcher
// exposes.
package metricstest
