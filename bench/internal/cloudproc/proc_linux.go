//go:build linux

package cloudproc

import "syscall"

// procAttr gives the local cloud its own process group (Stop kills the group) and has the kernel kill it
// if the benchmark itself dies.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
