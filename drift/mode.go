package drift

import "fmt"

// Mode says what a cycle does with the drift it finds.
type Mode string

// The modes, after PowerShell DSC's ApplyAndMonitor and ApplyAndAutoCorrect.
const (
	// Monitor records drift and changes nothing, except reverting expired
	// temporary values inside a change window.
	Monitor Mode = "monitor"
	// Correct also applies the corrections inside the change windows.
	Correct Mode = "correct"
)

// ParseMode reads "monitor" or "correct".
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Monitor, Correct:
		return Mode(s), nil
	}
	return "", fmt.Errorf("mode %q: want \"monitor\" or \"correct\"", s)
}
