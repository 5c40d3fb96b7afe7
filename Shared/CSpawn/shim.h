#ifndef WL_CSPAWN_SHIM_H
#define WL_CSPAWN_SHIM_H
// Starting a task process needs three things between fork and exec that no Swift API offers:
// a new process group (so timeouts and cancellation kill the whole tree), PR_SET_PDEATHSIG (so a
// SIGKILLed agent never leaves orphans running work that will be retried elsewhere), and stdout /
// stderr redirected to the attempt's log file. The child calls only async-signal-safe functions.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/// Returns the child's pid, or -errno when fork failed. In the child, exec failure exits 127.
/// `parent` is the caller's pid, checked after prctl to close the race with an already-dead parent.
static inline pid_t wl_spawn(const char *path, char *const argv[], char *const envp[],
                             const char *cwd, int out_fd, pid_t parent) {
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) { dup2(devnull, 0); close(devnull); }
        if (out_fd >= 0) { dup2(out_fd, 1); dup2(out_fd, 2); }
        if (cwd && cwd[0] && chdir(cwd) != 0) _exit(126);
        execve(path, argv, envp);
        _exit(127);
    }
    return pid;
}

/// Blocks until any child exits; returns its pid and fills *status_out with the decoded result:
/// exit code, or 128 + signal number when it was killed by a signal. Returns -errno on error.
static inline pid_t wl_wait_any(int *status_out) {
    int status = 0;
    pid_t pid;
    do { pid = waitpid(-1, &status, 0); } while (pid < 0 && errno == EINTR);
    if (pid < 0) return -errno;
    if (WIFEXITED(status)) *status_out = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) *status_out = 128 + WTERMSIG(status);
    else *status_out = -1;
    return pid;
}

static inline int wl_kill_group(pid_t pgid, int sig) { return killpg(pgid, sig) == 0 ? 0 : -errno; }
#endif
