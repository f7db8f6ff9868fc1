// Package engine turns a resolved playbook and an inventory into a plan,
// and applies a plan: it orders steps by their dependencies, batches every
// read of every step for one host into one remote command, asks each action
// what to change, and makes exactly the planned changes in rollout batches,
// re-reading each target first and verifying afterwards.
//
// The engine never prints: progress and results reach views through Hooks,
// and every change is recorded through a Journal before and after it is
// made.
package engine
