// Package builtin registers rectify's built-in actions in a registry. It is
// called explicitly by the program's wiring; nothing registers itself.
package builtin
