#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libxml/hash.h>

#include "check.h"
#include "clock.h"

typedef enum { SLOT_FREE, SLOT_RUNNING, SLOT_DONE } slot_state;

typedef struct {
    pthread_t thread;
    int fd;
    slot_state state;
    struct site_server *server;
} connection;

struct site_server {
    site_shape shape;
    long latency_ms;
    int listen_fd;
    int port;
    char origin[64]; /* "http://127.0.0.1:PORT" */
    char url[80];
    int silent_fd;            /* SITE_FAULT_SILENT's listener; -1 without it */
    char silent_origin[64];
    char silent_url[96];
    pthread_t silent_thread;
    int stop_pipe[2]; /* written once by site_server_stop; readable from then on, for everyone */
    pthread_t acceptor;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t slot_done;
    bool stopping;
    connection slots[SERVER_MAX_CONNECTIONS];
    xmlHashTablePtr counts; /* target -> long */
    long requests, connections, silent_connections;
};

/* ---- counting ---- */

static void free_count(void *payload, const xmlChar *name)
{
    (void)name;
    free(payload);
}

static void count_request(site_server *s, const char *target)
{
    TL_CHECK(pthread_mutex_lock(&s->lock));
    long *n = xmlHashLookup(s->counts, (const xmlChar *)target);
    if (n == NULL) {
        n = tl_xcalloc(1, sizeof *n);
        if (xmlHashAddEntry(s->counts, (const xmlChar *)target, n) != 0)
            TL_DIE("out of memory");
    }
    (*n)++;
    s->requests++;
    TL_CHECK(pthread_mutex_unlock(&s->lock));
}

long site_server_requests_for(site_server *s, const char *target)
{
    TL_CHECK(pthread_mutex_lock(&s->lock));
    const long *n = xmlHashLookup(s->counts, (const xmlChar *)target);
    long count = n ? *n : 0;
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return count;
}

long site_server_requests(site_server *s)
{
    TL_CHECK(pthread_mutex_lock(&s->lock));
    long n = s->requests;
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return n;
}

long site_server_connections(site_server *s)
{
    TL_CHECK(pthread_mutex_lock(&s->lock));
    long n = s->connections;
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return n;
}

typedef struct {
    long most;
    char *target;
    size_t len;
} busiest_scan;

static void note_busiest(void *payload, void *data, const xmlChar *name)
{
    busiest_scan *scan = data;
    long n = *(const long *)payload;
    /* Ties go to the smaller name, so the answer does not depend on the table's order. */
    if (n > scan->most || (n == scan->most && strcmp((const char *)name, scan->target) < 0)) {
        scan->most = n;
        snprintf(scan->target, scan->len, "%s", (const char *)name);
    }
}

long site_server_busiest(site_server *s, char *buf, size_t len)
{
    busiest_scan scan = {0, buf, len};
    if (len > 0)
        buf[0] = '\0';
    TL_CHECK(pthread_mutex_lock(&s->lock));
    xmlHashScan(s->counts, note_busiest, &scan);
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return scan.most;
}

void site_server_reset_counts(site_server *s)
{
    TL_CHECK(pthread_mutex_lock(&s->lock));
    xmlHashFree(s->counts, free_count);
    s->counts = xmlHashCreate(256);
    if (s->counts == NULL)
        TL_DIE("out of memory");
    s->requests = s->connections = s->silent_connections = 0;
    TL_CHECK(pthread_mutex_unlock(&s->lock));
}

long site_server_silent_connections(site_server *s)
{
    TL_CHECK(pthread_mutex_lock(&s->lock));
    long n = s->silent_connections;
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return n;
}

/* ---- one connection ---- */

/* Waits until fd is readable or the server stops: true for readable. */
static bool wait_readable(site_server *s, int fd, long timeout_ms)
{
    struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = s->stop_pipe[0], .events = POLLIN}};
    for (;;) {
        int n = poll(p, fd >= 0 ? 2 : 1, (int)timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || (p[1].revents & POLLIN))
            return false; /* idle too long, or stopping */
        return true;
    }
}

/* Waits ms; cut short when the server stops or, if client_fd >= 0, when that client sends
 * something or hangs up. True when the whole wait passed. */
static bool pause_for(site_server *s, long ms, int client_fd)
{
    struct pollfd p[2] = {{.fd = s->stop_pipe[0], .events = POLLIN},
                          {.fd = client_fd, .events = POLLIN}};
    int64_t deadline = tl_now_ns() + ms * 1000000;
    for (;;) {
        int64_t left_ms = (deadline - tl_now_ns() + 999999) / 1000000;
        if (left_ms <= 0)
            return true;
        int n = poll(p, client_fd >= 0 ? 2 : 1, (int)left_ms);
        if (n > 0)
            return false;
        if (n < 0 && errno != EINTR)
            return true;
    }
}

/* Sends everything unless the client goes away, takes nothing for SERVER_IDLE_MS, or the
 * server stops: a client that never reads must not keep site_server_stop waiting. */
static bool send_all(site_server *s, int fd, const char *data, size_t len)
{
    struct pollfd p[2] = {{.fd = fd, .events = POLLOUT}, {.fd = s->stop_pipe[0], .events = POLLIN}};
    while (len > 0) {
        int ready = poll(p, 2, SERVER_IDLE_MS);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0 || (p[1].revents & POLLIN))
            return false;
        /* MSG_NOSIGNAL: a vanished client is not fatal. MSG_DONTWAIT: send what fits now,
         * then poll again (a blocking send would wait for all of it, stop or not). */
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* The value of header `name` in the head (request line and headers, NUL-terminated), into buf. */
static bool header_value(const char *head, const char *name, char *buf, size_t len)
{
    size_t n = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line != NULL; line = strstr(line, "\r\n")) {
        line += 2;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t vlen = strcspn(v, "\r\n");
            snprintf(buf, len, "%.*s", (int)vlen, v);
            return true;
        }
    }
    return false;
}

/* The status line and headers. An endless body has no Content-Length: it ends when the
 * connection does. */
static bool send_head(site_server *s, int fd, const site_response *r, bool keep_alive)
{
    char head[1024], length[48] = "", retry[48] = "";
    if (r->delivery != SITE_SEND_ENDLESS)
        snprintf(length, sizeof length, "Content-Length: %zu\r\n", r->body_len);
    if (r->retry_after > 0)
        snprintf(retry, sizeof retry, "Retry-After: %ld\r\n", r->retry_after);
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nServer: threadlab-lab10\r\nContent-Type: %s\r\n"
                     "%s%s%s%s%sConnection: %s\r\n\r\n",
                     r->status, r->reason, r->content_type, length, retry,
                     r->location ? "Location: " : "", r->location ? r->location : "",
                     r->location ? "\r\n" : "", keep_alive ? "keep-alive" : "close");
    if (n < 0 || (size_t)n >= sizeof head)
        return false;
    return send_all(s, fd, head, (size_t)n);
}

/* Sends r as it asks to be sent (site_delivery: the socket-level faults). False when the
 * connection must close. */
static bool deliver(site_server *s, int fd, const site_response *r, bool head_only, bool keep_alive)
{
    switch (r->delivery) {
    case SITE_SEND_ALL:
        break;
    case SITE_SEND_LATE:
        if (!pause_for(s, SERVER_SLOW_MS, fd))
            return false; /* the client gave up first (or the server stops) */
        break;
    case SITE_SEND_HALF_RESET: {
        if (send_head(s, fd, r, false) && !head_only)
            send_all(s, fd, r->body, r->body_len / 2);
        /* Linger on, for 0 s: close() now throws the connection away with a RST instead of
         * ending it with a FIN, as a crashing server or a middlebox does. */
        struct linger reset = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        return false;
    }
    case SITE_SEND_ENDLESS:
        if (send_head(s, fd, r, false) && !head_only)
            for (long sent = 0; sent < SERVER_ENDLESS_BYTES && send_all(s, fd, r->body, r->body_len);)
                sent += (long)r->body_len;
        return false; /* until the client gives up */
    }
    return send_head(s, fd, r, keep_alive) && (head_only || send_all(s, fd, r->body, r->body_len)) &&
           keep_alive;
}

static void send_error(site_server *s, int fd, int status, const char *reason)
{
    site_response r = {.status = status, .reason = reason, .content_type = "text/plain",
                       .body = (char *)reason, .body_len = strlen(reason)};
    deliver(s, fd, &r, false, false);
}

/* Answers one request whose head is in `head`. False when the connection must close. */
static bool answer(site_server *s, int fd, char *head)
{
    char method[16], target[SERVER_MAX_REQUEST], version[16];
    int used = 0;
    if (sscanf(head, "%15s %8191s %15s%n", method, target, version, &used) != 3 ||
        strncmp(head + used, "\r\n", 2) != 0 || strncmp(version, "HTTP/1.", 7) != 0 ||
        target[0] != '/') {
        send_error(s, fd, 400, "Bad Request");
        return false;
    }
    bool head_only = strcmp(method, "HEAD") == 0;
    if (!head_only && strcmp(method, "GET") != 0) {
        send_error(s, fd, 405, "Method Not Allowed");
        return false;
    }
    char value[64];
    if (header_value(head, "Transfer-Encoding", value, sizeof value) ||
        (header_value(head, "Content-Length", value, sizeof value) && strcmp(value, "0") != 0)) {
        send_error(s, fd, 400, "Bad Request"); /* a GET with a body: we would lose our place */
        return false;
    }
    bool keep_alive = strcmp(version, "HTTP/1.1") == 0;
    if (header_value(head, "Connection", value, sizeof value))
        keep_alive = strcasecmp(value, "close") != 0 &&
                     (keep_alive || strcasecmp(value, "keep-alive") == 0);

    count_request(s, target);
    if (!pause_for(s, s->latency_ms, -1))
        return false;
    site_response r;
    site_respond(&s->shape, s->origin, s->silent_fd >= 0 ? s->silent_origin : NULL, target, &r);
    bool again = deliver(s, fd, &r, head_only, keep_alive);
    site_response_free(&r);
    return again;
}

static void *serve_connection(void *arg)
{
    connection *c = arg;
    site_server *s = c->server;
    char buf[SERVER_MAX_REQUEST + 1];
    size_t have = 0;
    for (;;) {
        char *end;
        buf[have] = '\0';
        while ((end = strstr(buf, "\r\n\r\n")) == NULL) {
            if (have == SERVER_MAX_REQUEST) {
                send_error(s, c->fd, 431, "Request Header Fields Too Large");
                goto done;
            }
            if (!wait_readable(s, c->fd, SERVER_IDLE_MS))
                goto done;
            ssize_t n = recv(c->fd, buf + have, SERVER_MAX_REQUEST - have, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                goto done; /* the client closed the connection (or it broke) */
            if (memchr(buf + have, '\0', (size_t)n) != NULL) {
                send_error(s, c->fd, 400, "Bad Request");
                goto done;
            }
            have += (size_t)n;
            buf[have] = '\0';
        }
        end += 4;
        char saved = *end;
        *end = '\0';
        bool again = answer(s, c->fd, buf);
        *end = saved;
        /* Keep what followed this request: a client may send the next one already. */
        have -= (size_t)(end - buf);
        memmove(buf, end, have);
        if (!again)
            break;
    }
done:
    close(c->fd);
    TL_CHECK(pthread_mutex_lock(&s->lock));
    c->state = SLOT_DONE;
    TL_CHECK(pthread_cond_signal(&s->slot_done));
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return NULL;
}

/* ---- accepting ---- */

/* Joins the connection threads that have finished (all of them when `all`), freeing their
 * slots. Never joins while holding the lock: a finishing thread needs it to say so. */
static void reap(site_server *s, bool all)
{
    pthread_t finished[SERVER_MAX_CONNECTIONS];
    size_t n = 0;
    TL_CHECK(pthread_mutex_lock(&s->lock));
    while (all) {
        bool running = false;
        for (size_t i = 0; i < SERVER_MAX_CONNECTIONS; i++)
            running |= s->slots[i].state == SLOT_RUNNING;
        if (!running)
            break;
        TL_CHECK(pthread_cond_wait(&s->slot_done, &s->lock));
    }
    for (size_t i = 0; i < SERVER_MAX_CONNECTIONS; i++)
        if (s->slots[i].state == SLOT_DONE) {
            finished[n++] = s->slots[i].thread;
            s->slots[i].state = SLOT_FREE;
        }
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    for (size_t i = 0; i < n; i++)
        TL_CHECK(pthread_join(finished[i], NULL));
}

/* A free slot, waiting for a connection to finish if all are busy; NULL when stopping. */
static connection *free_slot(site_server *s)
{
    connection *slot = NULL;
    TL_CHECK(pthread_mutex_lock(&s->lock));
    for (;;) {
        for (size_t i = 0; i < SERVER_MAX_CONNECTIONS && slot == NULL; i++)
            if (s->slots[i].state == SLOT_FREE)
                slot = &s->slots[i];
        if (slot != NULL || s->stopping)
            break;
        bool any_done = false;
        for (size_t i = 0; i < SERVER_MAX_CONNECTIONS; i++)
            any_done |= s->slots[i].state == SLOT_DONE;
        if (any_done)
            break; /* the caller reaps and asks again */
        TL_CHECK(pthread_cond_wait(&s->slot_done, &s->lock));
    }
    if (s->stopping)
        slot = NULL;
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return slot;
}

static void *accept_connections(void *arg)
{
    site_server *s = arg;
    for (;;) {
        reap(s, false);
        connection *slot = free_slot(s);
        if (slot == NULL) {
            TL_CHECK(pthread_mutex_lock(&s->lock));
            bool stopping = s->stopping;
            TL_CHECK(pthread_mutex_unlock(&s->lock));
            if (stopping)
                break;
            continue; /* a finished connection is waiting to be reaped */
        }
        if (!wait_readable(s, s->listen_fd, -1))
            break;
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
                tl_sleep_ms(10); /* out of descriptors: let connections finish */
            continue;
        }
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        TL_CHECK(pthread_mutex_lock(&s->lock));
        slot->fd = fd;
        slot->state = SLOT_RUNNING;
        s->connections++;
        TL_CHECK(pthread_mutex_unlock(&s->lock));
        TL_CHECK(pthread_create(&slot->thread, NULL, serve_connection, slot));
    }
    reap(s, true);
    return NULL;
}

/* ---- SITE_FAULT_SILENT: the listener that never answers ---- */

/* Accepts connections and reads whatever comes, never writing a byte; a connection ends
 * when its client hangs up or the server stops. At most SERVER_MAX_CONNECTIONS are held;
 * more wait in the listen queue (never answered either). */
static void *hold_silent_connections(void *arg)
{
    site_server *s = arg;
    struct pollfd p[2 + SERVER_MAX_CONNECTIONS]; /* the stop pipe, the listener, the held */
    p[0] = (struct pollfd){.fd = s->stop_pipe[0], .events = POLLIN};
    p[1] = (struct pollfd){.fd = s->silent_fd, .events = POLLIN};
    size_t held = 0;
    for (;;) {
        p[1].events = held < SERVER_MAX_CONNECTIONS ? POLLIN : 0;
        int n = poll(p, 2 + held, -1); /* bounded: the stop pipe ends every wait */
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (p[0].revents & POLLIN))
            break;
        for (size_t i = 2; i < 2 + held;) {
            char sink[4096];
            ssize_t got = p[i].revents ? recv(p[i].fd, sink, sizeof sink, 0) : 1;
            if (got == 0 || (got < 0 && errno != EINTR)) {
                close(p[i].fd); /* the client hung up: forget it (the last takes its place) */
                p[i] = p[2 + --held];
                continue;
            }
            i++;
        }
        if (p[1].revents & POLLIN) {
            int fd = accept(s->silent_fd, NULL, NULL);
            if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOMEM))
                tl_sleep_ms(10); /* out of descriptors: let connections finish */
            if (fd < 0)
                continue;
            fcntl(fd, F_SETFD, FD_CLOEXEC);
            p[2 + held++] = (struct pollfd){.fd = fd, .events = POLLIN};
            TL_CHECK(pthread_mutex_lock(&s->lock));
            s->silent_connections++;
            TL_CHECK(pthread_mutex_unlock(&s->lock));
        }
    }
    for (size_t i = 2; i < 2 + held; i++)
        close(p[i].fd);
    return NULL;
}

/* ---- starting and stopping ---- */

/* A socket listening on 127.0.0.1:port (0: any free port), and the port it got; -1 with a
 * message in err when the port cannot be had. */
static int listen_on(int port, int *got_port, char *err, size_t errlen)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t addr_len = sizeof addr;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &addr_len) != 0) {
        snprintf(err, errlen, "cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    *got_port = ntohs(addr.sin_port);
    return fd;
}

site_server *site_server_start(const site_shape *shape, long latency_ms, int port, char *err,
                               size_t errlen)
{
    int got_port, silent_port = 0;
    int fd = listen_on(port, &got_port, err, errlen);
    if (fd < 0)
        return NULL;
    int silent_fd = -1;
    if ((shape->faults & SITE_FAULT_SILENT) && (silent_fd = listen_on(0, &silent_port, err, errlen)) < 0) {
        close(fd);
        return NULL;
    }
    site_server *s = tl_xcalloc(1, sizeof *s);
    s->shape = *shape;
    s->latency_ms = latency_ms;
    s->listen_fd = fd;
    s->port = got_port;
    snprintf(s->origin, sizeof s->origin, "http://127.0.0.1:%d", s->port);
    snprintf(s->url, sizeof s->url, "%s/", s->origin);
    s->silent_fd = silent_fd;
    snprintf(s->silent_origin, sizeof s->silent_origin, "http://127.0.0.1:%d", silent_port);
    snprintf(s->silent_url, sizeof s->silent_url, "%s" SITE_SILENT_PATH, s->silent_origin);
    if (pipe(s->stop_pipe) != 0)
        TL_DIE("pipe: %s", strerror(errno));
    fcntl(s->stop_pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(s->stop_pipe[1], F_SETFD, FD_CLOEXEC);
    s->counts = xmlHashCreate(256);
    if (s->counts == NULL)
        TL_DIE("out of memory");
    for (size_t i = 0; i < SERVER_MAX_CONNECTIONS; i++)
        s->slots[i] = (connection){.fd = -1, .state = SLOT_FREE, .server = s};
    TL_CHECK(pthread_mutex_init(&s->lock, NULL));
    TL_CHECK(pthread_cond_init(&s->slot_done, NULL));
    TL_CHECK(pthread_create(&s->acceptor, NULL, accept_connections, s));
    if (s->silent_fd >= 0)
        TL_CHECK(pthread_create(&s->silent_thread, NULL, hold_silent_connections, s));
    return s;
}

const char *site_server_url(const site_server *s)
{
    return s->url;
}

int site_server_port(const site_server *s)
{
    return s->port;
}

const char *site_server_silent_url(const site_server *s)
{
    return s->silent_fd >= 0 ? s->silent_url : NULL;
}

void site_server_stop(site_server *s)
{
    if (s == NULL)
        return;
    TL_CHECK(pthread_mutex_lock(&s->lock));
    s->stopping = true;
    TL_CHECK(pthread_cond_broadcast(&s->slot_done));
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    /* One byte, never read: the pipe stays readable, so every poll() on it returns at once. */
    while (write(s->stop_pipe[1], "x", 1) < 0 && errno == EINTR)
        ;
    TL_CHECK(pthread_join(s->acceptor, NULL));
    if (s->silent_fd >= 0) {
        TL_CHECK(pthread_join(s->silent_thread, NULL));
        close(s->silent_fd);
    }
    close(s->listen_fd);
    close(s->stop_pipe[0]);
    close(s->stop_pipe[1]);
    xmlHashFree(s->counts, free_count);
    TL_CHECK(pthread_cond_destroy(&s->slot_done));
    TL_CHECK(pthread_mutex_destroy(&s->lock));
    free(s);
}
