// Package metrics exposes what scheduled drift runs find, for Prometheus:
// per playbook, step and host the pending changes by action, when each
// drift was first seen, the corrections made and the items that flap; per
// playbook the last run's time, duration and outcome. It also serves
// /healthz, healthy while cycles run on schedule.
//
// Every Metrics value has its own registry; nothing is registered with the
// process-wide default. Label values are playbook, step, host and action
// names, never secrets.
package metrics
