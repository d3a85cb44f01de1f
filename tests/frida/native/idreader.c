/* Test target for the agent's native hooks: reads identifier files the ways native SDK code
 * does (stdio, open, openat, and a raw syscall that libc hooks cannot see) and asks for the
 * serial-number property through its own __system_property_get (bionic's name; glibc has none,
 * so the program exports one). Commands, one per line on stdin:
 *   run      one round of every read (see run())
 *   burst N  N rounds of open+read+close of the loopback MAC file
 *   exit     exit(0)
 * Each command ends with "done <command> <count>". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAC_FILE "/sys/class/net/lo/address"

__attribute__((noinline, visibility("default")))
int __system_property_get(const char *name, char *value) {
    const char *v = "";
    if (strcmp(name, "ro.serialno") == 0) v = "SN-TEST-0042";
    else if (strcmp(name, "ro.product.model") == 0) v = "Pixel Test";
    strcpy(value, v);
    return (int) strlen(v);
}

static int (*volatile prop_get)(const char *, char *) = __system_property_get;

__attribute__((noinline)) static void via_fopen(const char *p) {
    char buf[256];
    FILE *f = fopen(p, "r");
    if (f) { if (fgets(buf, sizeof buf, f) == NULL) buf[0] = 0; fclose(f); }
}

__attribute__((noinline)) static void via_open(const char *p) {
    char buf[4096];
    int fd = open(p, O_RDONLY);
    if (fd >= 0) { if (read(fd, buf, sizeof buf) < 0) buf[0] = 0; close(fd); }
}

__attribute__((noinline)) static void via_openat(const char *p) {
    char buf[4096];
    int fd = openat(AT_FDCWD, p, O_RDONLY);
    if (fd >= 0) { if (read(fd, buf, sizeof buf) < 0) buf[0] = 0; close(fd); }
}

__attribute__((noinline)) static void via_raw_syscall(const char *p) {
    char buf[4096];
    int fd = (int) syscall(SYS_openat, AT_FDCWD, p, O_RDONLY);
    if (fd >= 0) { if (syscall(SYS_read, fd, buf, sizeof buf) < 0) buf[0] = 0; syscall(SYS_close, fd); }
}

static void run(void) {
    char value[92];
    via_fopen(MAC_FILE);            /* libc.open#net_address + libc.read#net_address */
    via_openat(MAC_FILE);           /* libc.openat#net_address + libc.read#net_address */
    via_open("/proc/net/arp");      /* libc.open#arp + libc.read#arp */
    via_raw_syscall(MAC_FILE);      /* invisible to libc hooks */
    via_open("/etc/hostname");      /* not sensitive: never reported */
    prop_get("ro.serialno", value); /* libc.__system_property_get#serial */
    prop_get("ro.product.model", value); /* not in the catalogue: not reported */
}

int main(void) {
    char line[256];
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("ready %d\n", getpid());
    fflush(stdout);
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (strncmp(line, "run", 3) == 0) {
            run();
            printf("done run 1\n");
        } else if (strncmp(line, "burst ", 6) == 0) {
            long n = strtol(line + 6, NULL, 10);
            for (long i = 0; i < n; i++) via_open(MAC_FILE);
            printf("done burst %ld\n", n);
        } else if (strncmp(line, "exit", 4) == 0) {
            printf("done exit 0\n");
            fflush(stdout);
            exit(0);
        }
        fflush(stdout);
    }
    return 0;
}
