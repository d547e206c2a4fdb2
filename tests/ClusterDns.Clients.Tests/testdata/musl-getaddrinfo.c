/*
 * The musl resolver as an Alpine pod uses it: getaddrinfo(name, AF_UNSPEC), which asks A and AAAA in
 * parallel, walks resolv.conf's search list under its ndots rule, and (musl < 1.2.4) never retries over TCP.
 * Prints one address per line; on failure prints "error: <gai_strerror>" and exits 2.
 * Built by the tests with musl-gcc -static, so it runs without an Alpine image.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s NAME\n", argv[0]);
        return 64;
    }
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    /* One entry per address, as a client connecting over TCP asks. */
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_CANONNAME;

    struct addrinfo *result = NULL;
    int status = getaddrinfo(argv[1], NULL, &hints, &result);
    if (status != 0) {
        printf("error: %s\n", gai_strerror(status));
        return 2;
    }
    if (result->ai_canonname != NULL) {
        printf("canonical: %s\n", result->ai_canonname);
    }
    for (struct addrinfo *entry = result; entry != NULL; entry = entry->ai_next) {
        char text[INET6_ADDRSTRLEN];
        const void *address = entry->ai_family == AF_INET
            ? (const void *)&((struct sockaddr_in *)entry->ai_addr)->sin_addr
            : (const void *)&((struct sockaddr_in6 *)entry->ai_addr)->sin6_addr;
        if (inet_ntop(entry->ai_family, address, text, sizeof text) != NULL) {
            printf("address: %s\n", text);
        }
    }
    freeaddrinfo(result);
    return 0;
}
