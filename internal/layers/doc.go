// Package layers holds the table of rectify's layers, bottom to top, and
// the test that keeps every import of the module pointing down it: no
// package imports one of a higher layer, nor of its own layer unless the
// layer allows it, and every package belongs to a layer. docs/architecture.md
// draws the same table.
package layers
