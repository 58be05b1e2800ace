/* maxrss OUT CMD...: runs CMD and writes its peak RSS in KiB (ru_maxrss of it and the children it reaped) to OUT.
 * A small exec'ing parent: a child of a large one (python) inherits that parent's high-water mark at execve. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        execv(argv[2], argv + 2);
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0)
        return 2;
    FILE *out = fopen(argv[1], "w");
    if (out == NULL)
        return 2;
    fprintf(out, "%ld\n", usage.ru_maxrss);
    fclose(out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
