#ifndef WL_CSPAWN_SHIM_H
#define WL_CSPAWN_SHIM_H
// Starting a task process needs three things between fork and exec that no Swift API offers:
// a new process group (so timeouts and cancellation kill the whole tree), PR_SET_PDEATHSIG (so a
// SIGKILLed agent never leaves orphans running work that will be retried elsewhere), and stdout /
// stderr redirected to the attempt's log file; and, for tasks with `runAs`, the user's groups,
// group and user id. The child calls only async-signal-safe functions (and the set*id/setgroups
// system calls, which the forked child, having one thread, makes directly).
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/// Who the child becomes before exec, resolved by the parent (getpwnam_r and getgrouplist are
/// not async-signal-safe). `change` 0 leaves the agent's own credentials.
typedef struct {
    int change;
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    int group_count;
} wl_credentials;

/// Writes a line to the attempt's log and exits: the log tail travels with the failed report.
static inline void wl_child_fail(int out_fd, const char *what, int code) {
    if (out_fd >= 0) {
        const char *prefix = "wl-agent: cannot start the task: ";
        (void)!write(out_fd, prefix, strlen(prefix));
        (void)!write(out_fd, what, strlen(what));
        (void)!write(out_fd, "\n", 1);
    }
    _exit(code);
}

/// Returns the child's pid, or -errno when fork failed. In the child, exec failure exits 127 and
/// a failed user switch or chdir exits 126. `parent` is the caller's pid, checked after prctl to
/// close the race with an already-dead parent.
static inline pid_t wl_spawn(const char *path, char *const argv[], char *const envp[],
                             const char *cwd, int out_fd, pid_t parent, const wl_credentials *credentials) {
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setpgid(0, 0);
        if (credentials && credentials->change) {
            // Groups first, the user last: once the uid is dropped the rest is no longer allowed.
            if (setgroups((size_t)credentials->group_count, credentials->groups) != 0) wl_child_fail(out_fd, "setgroups failed", 126);
            if (setgid(credentials->gid) != 0) wl_child_fail(out_fd, "setgid failed", 126);
            if (setuid(credentials->uid) != 0) wl_child_fail(out_fd, "setuid failed", 126);
        }
        // After any user switch: the kernel clears the parent-death signal when credentials change.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) { dup2(devnull, 0); close(devnull); }
        if (out_fd >= 0) { dup2(out_fd, 1); dup2(out_fd, 2); }
        // As the task's user, so it gets only a directory that user may enter.
        if (cwd && cwd[0] && chdir(cwd) != 0) wl_child_fail(2, "cannot enter the working directory", 126);
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
