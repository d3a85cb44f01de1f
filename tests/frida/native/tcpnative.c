/* Native code talking plain HTTP over TCP, the way an NDK library does, for the agent's native
 * connect redirect. "get <port> <path> <block|nonblock>": connect to 127.0.0.1:<port> (a blocking
 * connect, or a non-blocking one finished with poll), send a GET, print "done get <status>". */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int get(int port, const char *path, int nonblock) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int fl = fcntl(s, F_GETFL);
    if (nonblock) fcntl(s, F_SETFL, fl | O_NONBLOCK);
    int r = connect(s, (struct sockaddr *) &a, sizeof a);
    if (r != 0 && !(nonblock && errno == EINPROGRESS)) {
        printf("connect failed errno=%d\n", errno);
        close(s);
        return -1;
    }
    if (nonblock) {
        struct pollfd p = {s, POLLOUT, 0};
        poll(&p, 1, 10000);
        fcntl(s, F_SETFL, fl);
        printf("nonblocking connect returned %d\n", r);
    }
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: native.example.net\r\nConnection: close\r\n\r\n", path);
    if (send(s, req, n, 0) != n) {
        close(s);
        return -2;
    }
    char got[64];
    int have = 0;
    while (have < 12) {
        long k = recv(s, got + have, sizeof got - 1 - have, 0);
        if (k <= 0) break;
        have += k;
    }
    close(s);
    got[have] = 0;
    return have >= 12 && strncmp(got, "HTTP/1.", 7) == 0 ? atoi(got + 9) : -3;
}

int main(void) {
    char line[256];
    printf("ready\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin) != NULL) {
        int port = 0;
        char path[128], mode[16];
        if (sscanf(line, "get %d %127s %15s", &port, path, mode) == 3) {
            printf("done get %d\n", get(port, path, strcmp(mode, "nonblock") == 0));
        } else if (strncmp(line, "exit", 4) == 0) {
            return 0;
        }
        fflush(stdout);
    }
    return 0;
}
