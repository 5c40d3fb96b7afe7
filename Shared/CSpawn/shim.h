#ifndef WL_CSPAWN_SHIM_H
#define WL_CSPAWN_SHIM_H
// Starting a task process needs three things between fork and exec that no Swift API offers:
// a new process group (so timeouts and cancellation kill the whole tree), PR_SET_PDEATHSIG (so a
// SIGKILLed agent never leaves orphans running work that will be retried elsewhere), and stdout /
// stderr redirected to the attempt's log file; and, for tasks with `runAs`, the user's groups,
// group and user id. The child calls only async-signal-safe functions and raw system calls.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

// clone(2) and its flags are only declared under _GNU_SOURCE, which cannot be set here: it changes
// libc types (fd_set) that other modules see without it. The symbol and the flag values are
// Linux's stable ABI.
#ifndef CLONE_VM
#define CLONE_VM 0x00000100
#define CLONE_VFORK 0x00004000
extern int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...);
#endif

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

/// What the child needs, passed through clone's argument.
typedef struct {
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *cwd;
    int out_fd;
    pid_t parent;
    const wl_credentials *credentials;
} wl_spawn_request;

/// The child, running on the parent's memory (CLONE_VM) while the parent's thread waits
/// (CLONE_VFORK) until it execs or exits. It must not touch anything the parent owns, so it calls
/// only system call wrappers, and switches credentials with raw system calls: glibc's setuid in a
/// process it believes multi-threaded would signal the parent's threads to follow.
static int wl_spawn_child(void *raw) {
    const wl_spawn_request *request = (const wl_spawn_request *)raw;
    // Handlers the agent installed would run here, on the agent's memory: defaults first. SIGPIPE
    // too, so a task's pipelines behave as they do from a shell.
    for (int sig = 1; sig < _NSIG; sig++) {
        struct sigaction current;
        if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &current) != 0) continue;
        if ((current.sa_handler != SIG_IGN && current.sa_handler != SIG_DFL) || sig == SIGPIPE) {
            struct sigaction defaults;
            memset(&defaults, 0, sizeof defaults);
            defaults.sa_handler = SIG_DFL;
            sigaction(sig, &defaults, NULL);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);
    const wl_credentials *credentials = request->credentials;
    int out_fd = request->out_fd;
    if (credentials && credentials->change) {
        // Groups first, the user last: once the uid is dropped the rest is no longer allowed.
        if (syscall(SYS_setgroups, (size_t)credentials->group_count, credentials->groups) != 0) wl_child_fail(out_fd, "setgroups failed", 126);
        if (syscall(SYS_setgid, credentials->gid) != 0) wl_child_fail(out_fd, "setgid failed", 126);
        if (syscall(SYS_setuid, credentials->uid) != 0) wl_child_fail(out_fd, "setuid failed", 126);
    }
    // After any user switch: the kernel clears the parent-death signal when credentials change.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != request->parent) _exit(127);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) { dup2(devnull, 0); close(devnull); }
    if (out_fd >= 0) { dup2(out_fd, 1); dup2(out_fd, 2); }
    // As the task's user, so it gets only a directory that user may enter.
    if (request->cwd && request->cwd[0] && chdir(request->cwd) != 0) wl_child_fail(2, "cannot enter the working directory", 126);
    execve(request->path, request->argv, request->envp);
    _exit(127);
}

/// Returns the child's pid, or -errno when it could not be created. In the child, exec failure
/// exits 127 and a failed user switch or chdir exits 126. `parent` is the caller's pid, checked
/// after prctl to close the race with an already-dead parent.
///
/// A vfork-style clone (shared memory, own stack, the parent's thread suspended until exec)
/// rather than fork: fork copies the page tables of the whole agent, which made it most of the
/// agent's CPU at hundreds of starts a second. Every signal is blocked in the parent's thread
/// meanwhile, so no handler of the agent runs in the child before it resets them.
static inline pid_t wl_spawn(const char *path, char *const argv[], char *const envp[],
                             const char *cwd, int out_fd, pid_t parent, const wl_credentials *credentials) {
    const size_t stack_size = 256 * 1024;
    char *stack = (char *)mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -errno;
    wl_spawn_request request = { path, argv, envp, cwd, out_fd, parent, credentials };
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t pid = clone(wl_spawn_child, stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &request);
    int error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    munmap(stack, stack_size);
    return pid < 0 ? -error : pid;
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
