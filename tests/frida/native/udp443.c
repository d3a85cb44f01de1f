/* Native code sending UDP to port 443 (QUIC) the ways an NDK library does, for the agent's
 * native UDP/443 refusal. On "run": sendto, connect and sendmsg to 127.0.0.1:443 on a datagram
 * socket, sendto to port 8443 (not QUIC), and a TCP connect to 127.0.0.1:443 (TCP is never
 * refused by that hook; nothing listens there, so ECONNREFUSED). Prints the errno of each and
 * "done run <number refused with EPERM>". */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in to(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int run(void) {
    int refused = 0;
    const char hello[] = "quic-initial";
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in q = to(443), other = to(8443);
    errno = 0;
    long r1 = sendto(u, hello, sizeof hello, 0, (struct sockaddr *) &q, sizeof q);
    int e1 = errno;
    errno = 0;
    long r2 = sendto(u, hello, sizeof hello, 0, (struct sockaddr *) &other, sizeof other);
    int e2 = errno;
    struct iovec iov = {(void *) hello, sizeof hello};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &q;
    m.msg_namelen = sizeof q;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    errno = 0;
    long r3 = sendmsg(u, &m, 0);
    int e3 = errno;
    errno = 0;
    int r4 = connect(u, (struct sockaddr *) &q, sizeof q);
    int e4 = errno;
    close(u);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    errno = 0;
    int r5 = connect(t, (struct sockaddr *) &q, sizeof q);
    int e5 = errno;
    close(t);
    refused += (r1 == -1 && e1 == EPERM) + (r3 == -1 && e3 == EPERM) + (r4 == -1 && e4 == EPERM);
    printf("udp443 sendto=%ld/%d other=%ld/%d sendmsg=%ld/%d connect=%d/%d tcp=%d/%d\n", r1, e1, r2, e2, r3, e3, r4, e4, r5, e5);
    return refused;
}

int main(void) {
    char line[64];
    printf("ready\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (strncmp(line, "run", 3) == 0) {
            int n = run();
            printf("done run %d\n", n);
        } else if (strncmp(line, "exit", 4) == 0) {
            return 0;
        }
        fflush(stdout);
    }
    return 0;
}
