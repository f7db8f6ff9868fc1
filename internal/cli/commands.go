package cli

// commandTable lists rectify's commands in the order "rectify help" shows
// them. Adding a command is one line here and one file beside this one.
func commandTable() []commandEntry {
	return []commandEntry{
		{name: "validate", make: func() command { return &validateCommand{} }},
		{name: "version", make: func() command { return &versionCommand{} }},
		{name: "help", make: func() command { return &helpCommand{} }},
	}
}
