//go:build unix && !linux

package lambdaemu

import (
	"os/exec"
	"syscall"
)

// childProcAttr puts the bootstrap in its own process group, so killing the group takes any
// children with it.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

func killProcess(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
