// Package examples holds no code: its directories are playbooks and
// inventories that users start from, and its tests validate, plan and
// apply every one of them against the lab, so that they cannot rot.
package examples
