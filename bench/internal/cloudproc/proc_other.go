//go:build unix && !linux

package cloudproc

import "syscall"

// procAttr gives the local cloud its own process group (Stop kills the group).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
