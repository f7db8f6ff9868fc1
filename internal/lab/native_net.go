package lab

import (
	"fmt"
	"strings"
)

// serviceDisplayNames are the display names net.exe prints.
var serviceDisplayNames = map[string]string{
	"w32time":             "Windows Time",
	"netlogon":            "Netlogon",
	"msexchangetransport": "Microsoft Exchange Transport",
}

// netCommand answers net start and net stop for the host's services.
func (o *Org) netCommand(h *Host, argv []string) (string, int) {
	if len(argv) != 2 || (!strings.EqualFold(argv[0], "start") && !strings.EqualFold(argv[0], "stop")) {
		return "The syntax of this command is:\r\n\r\nNET\r\n    [ ACCOUNTS | COMPUTER | CONFIG | CONTINUE | FILE | GROUP | HELP |\r\n      HELPMSG | LOCALGROUP | PAUSE | SESSION | SHARE | START |\r\n      STATISTICS | STOP | TIME | USE | USER | VIEW ]\r\n", 1
	}
	name := strings.ToLower(argv[1])
	status := h.Service(name)
	display, ok := serviceDisplayNames[name]
	if status == "" || !ok {
		return "The service name is invalid.\r\n\r\nMore help is available by typing NET HELPMSG 2185.\r\n", 2
	}
	if strings.EqualFold(argv[0], "start") {
		if status == "Running" {
			return "The requested service has already been started.\r\n\r\nMore help is available by typing NET HELPMSG 2182.\r\n", 2
		}
		h.SetService(name, "Running")
		return fmt.Sprintf("The %s service is starting.\r\nThe %s service was started successfully.\r\n\r\n", display, display), 0
	}
	if status != "Running" {
		return fmt.Sprintf("The %s service is not started.\r\n\r\nMore help is available by typing NET HELPMSG 3521.\r\n", display), 2
	}
	h.SetService(name, "Stopped")
	return fmt.Sprintf("The %s service is stopping.\r\nThe %s service was stopped successfully.\r\n\r\n", display, display), 0
}
