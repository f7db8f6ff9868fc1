package cli

// commandTable lists rectify's commands in the order "rectify help" shows
// them. Adding a command is one line here and one file beside this one.
func commandTable() []commandEntry {
	return []commandEntry{
		{name: "demo", make: func() command { return &demoCommand{} }},
		{name: "validate", make: func() command { return &validateCommand{} }},
		{name: "fmt", make: func() command { return &fmtCommand{} }},
		{name: "plan", make: func() command { return &planCommand{} }},
		{name: "show", make: func() command { return &showCommand{} }},
		{name: "approve", make: func() command { return &approveCommand{} }},
		{name: "apply", make: func() command { return &applyCommand{} }},
		{name: "undo", make: func() command { return &undoCommand{} }},
		{name: "watch", make: func() command { return &watchCommand{} }},
		{name: "history", make: func() command { return &historyCommand{} }},
		{name: "inventory", make: func() command { return &inventoryCommand{} }},
		{name: "lab", make: func() command { return &labCommand{} }},
		{name: "version", make: func() command { return &versionCommand{} }},
		{name: "completion", make: func() command { return &completionCommand{} }},
		{name: "help", make: func() command { return &helpCommand{} }},
	}
}
