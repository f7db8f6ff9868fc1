package lab

import "fmt"

// StopDirectoryService stops a DC's directory service (NTDS, "Active
// Directory Domain Services"), as an administrator can since Windows
// Server 2008: its LDAP servers drop their connections and refuse new
// ones, its partners' pulls from it fail with 1753 (no endpoint), and
// repadmin on it cannot read it ("LDAP error 81 (Server Down)").
func (l *Lab) StopDirectoryService(dc string) error {
	h, ok := l.org.Host(dc)
	if !ok || h.Role != RoleDC {
		return fmt.Errorf("stop the directory service of %s: not a DC of the lab", dc)
	}
	h.SetService("ntds", "Stopped")
	if d, ok := l.ldap[h.Name]; ok {
		d.srv.Drop()
	}
	return nil
}

// StartDirectoryService starts a DC's directory service again.
func (l *Lab) StartDirectoryService(dc string) error {
	h, ok := l.org.Host(dc)
	if !ok || h.Role != RoleDC {
		return fmt.Errorf("start the directory service of %s: not a DC of the lab", dc)
	}
	h.SetService("ntds", "Running")
	return nil
}
