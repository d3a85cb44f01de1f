/* Test target for child gating: a program that starts other processes the ways native app code
 * does. Commands, one per line on stdin (each ends with "done <command> <child pid>"):
 *   read     read the loopback MAC file here, in this process
 *   fork     fork; the child reads the MAC file and exits (same program, no exec)
 *   exec     fork + exec of this same program ("forker child"): the new image reads and exits
 *   other    fork + exec of /bin/sh, which reads the MAC file with cat (another program)
 *   exit     exit(0)
 * The parent waits for every child and prints "status <pid> <exit code>". A child stays LINGER_US
 * after its read before it exits, as an app's sub-processes live on: the agent sends its events
 * every 50 ms, and a process that ends sooner can take its last ones with it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAC_FILE "/sys/class/net/lo/address"
#define LINGER_US 300000

static char self[4096];

__attribute__((noinline)) static void read_mac(void) {
    char buf[256];
    int fd = open(MAC_FILE, O_RDONLY);
    if (fd >= 0) { if (read(fd, buf, sizeof buf) < 0) buf[0] = 0; close(fd); }
}

static void wait_child(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) == pid) printf("status %d %d\n", (int) pid, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) { read_mac(); usleep(LINGER_US); return 0; }
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    char line[256];
    printf("ready\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = 0;
        pid_t pid = 0;
        if (strcmp(line, "exit") == 0) return 0;
        if (strcmp(line, "read") == 0) {
            read_mac();
        } else if (strcmp(line, "fork") == 0) {
            pid = fork();
            if (pid == 0) { read_mac(); usleep(LINGER_US); _exit(0); }
        } else if (strcmp(line, "exec") == 0) {
            pid = fork();
            if (pid == 0) { execl(self, "forker", "child", (char *) NULL); _exit(127); }
        } else if (strcmp(line, "other") == 0) {
            pid = fork();
            if (pid == 0) { execl("/bin/sh", "sh", "-c", "cat " MAC_FILE " > /dev/null", (char *) NULL); _exit(127); }
        }
        if (pid > 0) wait_child(pid);
        printf("done %s %d\n", line, (int) pid);
        fflush(stdout);
    }
    return 0;
}
