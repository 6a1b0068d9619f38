/* server.h — the local site (site.h) served over HTTP/1.1 from inside the lab's process.
 *
 * One thread accepts connections; each connection gets a thread of its own that answers
 * request after request on it (keep-alive) until the client closes it, it sits idle for
 * SERVER_IDLE_MS, or the server stops. At most SERVER_MAX_CONNECTIONS are served at once;
 * further clients wait in the listen queue until one closes. Each response waits
 * `latency_ms` first, standing in for the network and a slow backend: that wait is what
 * threads and the event loop overlap.
 *
 * It listens on 127.0.0.1 only and counts the requests for each target, so tests can check
 * that a crawler fetched no URL twice and never asked for what it must not.
 * site_server_stop wakes every thread (a pipe that becomes readable), joins them all and
 * frees everything.
 *
 * The site's faults (site.h, SITE_FAULT_*) that live at the socket level are done here: a
 * response held back SERVER_SLOW_MS (or until the client hangs up, or the server stops), a
 * body cut off by a TCP reset (SO_LINGER 0), a body that never ends, and, with
 * SITE_FAULT_SILENT, a second listener on another port of 127.0.0.1 that accepts
 * connections, reads what comes and never writes a byte. It is stopped with the rest.
 */
#ifndef LAB10_SERVER_H
#define LAB10_SERVER_H

#include <stddef.h>

#include "site.h"

#define SERVER_MAX_CONNECTIONS 128 /* above lab10's 64 workers plus robots.txt's handle */
#define SERVER_IDLE_MS 10000
#define SERVER_MAX_REQUEST 8192 /* bytes of request line and headers; more gets a 431 */
#define SERVER_SLOW_MS 60000    /* SITE_FAULT_SLOW: longer than any crawler here waits */
#define SERVER_ENDLESS_BYTES (64L * 1024 * 1024) /* SITE_FAULT_ENDLESS gives up after this */

typedef struct site_server site_server;

/* Starts serving on 127.0.0.1:port (0: a free port the system picks). NULL with a message in
 * err when the port cannot be had. */
site_server *site_server_start(const site_shape *shape, long latency_ms, int port, char *err,
                               size_t errlen);

/* "http://127.0.0.1:PORT/" and the port. */
const char *site_server_url(const site_server *s);
int site_server_port(const site_server *s);

/* SITE_FAULT_SILENT: the URL linked on the listener that never answers (NULL without the
 * fault), and the connections it accepted since the start or the last reset. */
const char *site_server_silent_url(const site_server *s);
long site_server_silent_connections(site_server *s);

/* Requests answered for one target ("/l1/p2.html", "/find/search?q=locks"), in total, and
 * connections accepted in total, since the start or the last reset. */
long site_server_requests_for(site_server *s, const char *target);
long site_server_requests(site_server *s);
long site_server_connections(site_server *s);

/* The highest request count of any one target (0 if none), and that target into buf. */
long site_server_busiest(site_server *s, char *buf, size_t len);

void site_server_reset_counts(site_server *s);

/* Stops accepting, closes every connection, joins every thread, frees s. */
void site_server_stop(site_server *s);

#endif
