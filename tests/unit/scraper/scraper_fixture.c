#include "scraper_fixture.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "harness.h"

void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    xmlInitParser();
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

site_server *start_server(const site_shape *shape, long latency_ms)
{
    char err[256];
    site_server *s = site_server_start(shape, latency_ms, 0, err, sizeof err);
    TL_ASSERT_FATAL(s != NULL, "the server did not start: %s", err);
    return s;
}

crawl_options options(crawl_mode mode)
{
    return (crawl_options){.mode = mode, .workers = 4, .max_depth = 10, .max_pages = 1000,
                           .timeout_ms = 5000};
}

void crawl_ok(site_server *s, const crawl_options *opt, crawl_result *r)
{
    char err[256];
    TL_ASSERT_FATAL(crawl_run(site_server_url(s), opt, r, err, sizeof err), "crawl_run: %s", err);
}

static int compare_url(const void *key, const void *page)
{
    return strcmp(key, ((const crawl_page *)page)->url);
}

const crawl_page *find(const crawl_result *r, const char *url)
{
    /* A crawl's records are sorted by URL first (crawl.h): a binary search, which a load
     * test's 10,000 look-ups need. */
    if (r->pages.count == 0)
        return NULL;
    return bsearch(url, r->pages.items, r->pages.count, sizeof *r->pages.items, compare_url);
}

const crawl_page *find_path(const crawl_result *r, site_server *s, const char *path)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", site_server_port(s), path);
    return find(r, url);
}

void check_page(const crawl_result *r, site_server *s, const expected_page *want, const char *label)
{
    const char *key = want->path_or_url;
    const crawl_page *p = key[0] == '/' ? find_path(r, s, key) : find(r, key);
    TL_ASSERT(p != NULL, "%s: %s was not recorded", label, key);
    if (p == NULL)
        return;
    TL_ASSERT(p->depth == want->depth && p->status == want->status &&
              (want->title == NULL || strcmp(p->title, want->title) == 0) &&
              strstr(p->reason, want->reason_has) != NULL && p->fetched == want->fetched,
              "%s: %s: depth %ld status %ld title '%s' reason '%s' fetched %d; expected %ld %ld "
              "'%s' '...%s...' %d", label, key, p->depth, p->status, p->title, p->reason,
              p->fetched, want->depth, want->status, want->title ? want->title : "(any)",
              want->reason_has, want->fetched);
}

void check_ordinary_pages(const crawl_result *r, site_server *s, const site_shape *shape,
                          const char *label)
{
    for (long i = 0; i < shape->pages; i++) {
        char path[64], title[64];
        site_page_path(shape, i, path, sizeof path);
        site_page_title(i, title, sizeof title);
        const crawl_page *p = find_path(r, s, path);
        TL_ASSERT_FATAL(p != NULL, "%s: page %s was not met", label, path);
        TL_ASSERT(p->depth == site_level(shape, i) && p->status == 200 && strcmp(p->title, title) == 0 &&
                  p->words == site_page_words(shape, i),
                  "%s: %s: depth %ld status %ld title '%s' words %ld; expected %d 200 '%s' %ld", label,
                  path, p->depth, p->status, p->title, p->words, site_level(shape, i), title,
                  site_page_words(shape, i));
    }
}

int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    TL_ASSERT_FATAL(fd >= 0, "socket: %s", strerror(errno));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    TL_ASSERT_FATAL(connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0, "connect to port %d: %s",
                    port, strerror(errno));
    return fd;
}

long open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    TL_ASSERT_FATAL(dir != NULL, "cannot list /proc/self/fd");
    long n = 0;
    for (struct dirent *e = readdir(dir); e != NULL; e = readdir(dir))
        n += e->d_name[0] != '.'; /* counts the directory's own descriptor too, every time */
    closedir(dir);
    return n;
}

void check_fetched_once(const crawl_result *r, site_server *s, const char *label)
{
    char busiest[256];
    long most = site_server_busiest(s, busiest, sizeof busiest);
    TL_ASSERT(most == 1, "%s: the server's most requests for one target = %ld (%s), expected 1",
              label, most, busiest);
    TL_ASSERT(page_list_repeats(&r->pages, busiest, sizeof busiest) == 0,
              "%s: a URL recorded twice: %s", label, busiest);
}
