// Package windows holds the built-in actions for Windows hosts:
// windows.registry_value (a typed registry value, optionally temporary),
// windows.time_skew (clock skew against the domain controllers, KB 979174
// step 1), windows.event_query (Kerberos and transport events as findings)
// and windows.powershell (a user's own check and apply scripts).
package windows
