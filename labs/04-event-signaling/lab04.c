/* lab04 — event signaling: one thread announces "it happened", every waiter wakes.
 *
 * Step 1 is the article's demo: a waiter blocks on an event (common/event.h) until a signaler
 * sets it two seconds later. Step 2 waits with a timeout that nobody answers. Step 3 is a start
 * gate: main waits (with a bound) until every worker says "ready", then starts them all with one
 * set(); with --slow-worker one worker never gets ready and main gives up, saying so. Step 4
 * runs the checks of the student's event (exercise.c): checks.c, the table `make check-lab04` runs.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "event.h"
#include "report.h"

#define MAX_WORKERS 64
#define BOUND_MS 5000L /* added to every wait's expected length: the demo never hangs */

static long signal_ms = 2000, timeout_ms = 500, workers = 4, ready_ms = 1000;
static bool slow_worker;

static const tl_option options[] = {
    {"signal-ms", TL_OPT_LONG, &signal_ms, 0, 10000, "MS", "when the signaler sets the event "
     "(step 1)", "100", NULL},
    {"timeout-ms", TL_OPT_LONG, &timeout_ms, 1, 10000, "MS", "the timed wait nobody answers "
     "(step 2)", "50", NULL},
    {"workers", TL_OPT_LONG, &workers, 1, MAX_WORKERS, "N", "workers at the start gate (step 3)",
     NULL, NULL},
    {"ready-ms", TL_OPT_LONG, &ready_ms, 1, 10000, "MS", "how long main waits for every worker to "
     "say ready (step 3)", "200", NULL},
    {"slow-worker", TL_OPT_FLAG, &slow_worker, 0, 0, NULL, "one worker never gets ready in time, "
     "so main gives up (step 3)", NULL, NULL},
    {0},
};

static const tl_cli cli = {
    "lab04", "[options]",
    "An event is a flag threads can wait for: set() raises it and wakes EVERY waiter, clear()\n"
    "lowers it, wait(timeout) says whether it was set in time. Step 1: a waiter and a signaler.\n"
    "Step 2: a timed wait nobody answers returns false. Step 3: a start gate; main waits until\n"
    "all workers say ready, then releases them together, or gives up after --ready-ms (try\n"
    "--slow-worker). Step 4 checks your event (labs/04-event-signaling/exercise.c).\n"
    "--csv: step,who,what,ms rows (when each thing happened), for a timeline chart.",
    options, false, 0};

static int64_t t0_ns; /* the start of the current step */

static double ms_since_t0(void) { return (double)(tl_now_ns() - t0_ns) / 1e6; }

/* ---- Step 1: a waiter and a signaler ---- */

static tl_event data_ready;
static double wait_ms_at, set_ms_at, woke_ms_at;
static bool woke;

static void *waiter(void *arg)
{
    (void)arg;
    wait_ms_at = ms_since_t0();
    woke = tl_event_wait_ms(&data_ready, signal_ms + BOUND_MS); /* set after signal_ms */
    woke_ms_at = ms_since_t0();
    return NULL;
}

static void *signaler(void *arg)
{
    (void)arg;
    tl_sleep_ms(signal_ms); /* "preparing the data" */
    set_ms_at = ms_since_t0();
    tl_event_set(&data_ready);
    return NULL;
}

static void waiter_and_signaler(void)
{
    tl_step("A waiter blocks on an event; a signaler sets it after %ld ms", signal_ms);
    tl_event_init(&data_ready);
    pthread_t w, s;
    t0_ns = tl_now_ns();
    TL_CHECK(pthread_create(&w, NULL, waiter, NULL));
    TL_CHECK(pthread_create(&s, NULL, signaler, NULL));
    TL_CHECK(pthread_join(w, NULL));
    TL_CHECK(pthread_join(s, NULL));
    tl_event_destroy(&data_ready);
    bool wait_first = wait_ms_at <= set_ms_at;
    tl_say("%8.3f s  %-8s  %s", (wait_first ? wait_ms_at : set_ms_at) / 1e3, wait_first ?
           "waiter" : "signaler", wait_first ? "waits for the event" : "sets the event");
    tl_say("%8.3f s  %-8s  %s", (wait_first ? set_ms_at : wait_ms_at) / 1e3, wait_first ?
           "signaler" : "waiter", wait_first ? "sets the event" : "waits for the event");
    tl_say("%8.3f s  %-8s  %s", woke_ms_at / 1e3, "waiter", woke ? "wakes: the event is set" :
           "gave up waiting");
    tl_expect(woke && woke_ms_at >= set_ms_at, TL_FAIL, "waiter woke = %s at %.3f s (expected yes, "
              "once the event was set at %.3f s; it took %.2f ms to wake)", woke ? "yes" : "no",
              woke_ms_at / 1e3, set_ms_at / 1e3, woke_ms_at - set_ms_at);
    tl_csv_row("signal,waiter,waits,%.1f", wait_ms_at);
    tl_csv_row("signal,signaler,set,%.1f", set_ms_at);
    tl_csv_row("signal,waiter,%s,%.1f", woke ? "woke" : "gave_up", woke_ms_at);
}

/* ---- Step 2: nobody signals ---- */

static void timed_wait_nobody_sets(void)
{
    tl_step("A wait with a %ld ms timeout on an event nobody sets", timeout_ms);
    tl_event never;
    tl_event_init(&never);
    t0_ns = tl_now_ns();
    bool got = tl_event_wait_ms(&never, timeout_ms);
    double waited = ms_since_t0();
    tl_event_destroy(&never);
    tl_expect(!got && waited >= (double)timeout_ms - 1.0, TL_FAIL, "wait_ms(%ld) = %s after %.1f ms "
              "(expected false, after at least %ld ms)", timeout_ms, got ? "true" : "false",
              waited, timeout_ms);
    tl_say("false tells the caller nobody signalled in time: it can give up, retry or report");
    tl_csv_row("timeout,waiter,timed_out,%.1f", waited);
}

/* ---- Step 3: the start gate ---- */

static struct {
    tl_event ready[MAX_WORKERS]; /* each worker sets its own when it is ready */
    tl_event go;                 /* main sets it once: start (or, when cancelled, go home) */
    tl_event abandon;            /* main gave up: ends the slow worker's hanging setup */
    atomic_bool cancelled;
    atomic_int started;
    double ready_at[MAX_WORKERS], started_at[MAX_WORKERS]; /* ms; -1: never */
} gate;

static long slow_index(void) { return slow_worker ? workers / 2 : -1; }

static void *gate_worker(void *arg)
{
    long i = (long)(intptr_t)arg;
    if (i == slow_index()) { /* a setup that hangs (a server that never answers), bounded */
        (void)tl_event_wait_ms(&gate.abandon, 10 * ready_ms + BOUND_MS);
        return NULL;
    }
    tl_sleep_ms((i + 1) * ready_ms / (2 * workers)); /* setup: each takes a different time */
    gate.ready_at[i] = ms_since_t0();
    tl_event_set(&gate.ready[i]);
    if (!tl_event_wait_ms(&gate.go, ready_ms + BOUND_MS) || atomic_load(&gate.cancelled))
        return NULL;
    gate.started_at[i] = ms_since_t0();
    atomic_fetch_add(&gate.started, 1);
    return NULL;
}

static void start_gate(void)
{
    tl_step("Start gate: main waits until all %ld workers say ready (at most %ld ms), then starts "
            "them with one set()%s", workers, ready_ms, slow_worker ? "; one worker is slow" : "");
    pthread_t threads[MAX_WORKERS];
    tl_event_init(&gate.go);
    tl_event_init(&gate.abandon);
    t0_ns = tl_now_ns();
    for (long i = 0; i < workers; i++) {
        tl_event_init(&gate.ready[i]);
        gate.ready_at[i] = gate.started_at[i] = -1;
        TL_CHECK(pthread_create(&threads[i], NULL, gate_worker, (void *)(intptr_t)i));
    }
    struct timespec deadline = tl_deadline_monotonic(ready_ms);
    long ready = 0, missing = -1;
    for (long i = 0; i < workers; i++) {
        if (tl_event_wait_ms(&gate.ready[i], tl_ms_until(deadline)))
            ready++;
        else if (missing < 0)
            missing = i;
    }
    double decided_at = ms_since_t0();
    int early = atomic_load(&gate.started);
    if (ready < workers) { /* nobody starts: release the ready ones to go home, end the slow one */
        atomic_store(&gate.cancelled, true);
        tl_event_set(&gate.abandon);
    }
    tl_event_set(&gate.go);
    for (long i = 0; i < workers; i++) {
        TL_CHECK(pthread_join(threads[i], NULL));
        tl_event_destroy(&gate.ready[i]);
        if (gate.ready_at[i] < 0)
            tl_say("worker %2ld: never said ready (its setup hangs)", i + 1);
        else if (gate.started_at[i] < 0)
            tl_say("worker %2ld: ready at %.3f s, not started: main gave up", i + 1,
                   gate.ready_at[i] / 1e3);
        else
            tl_say("worker %2ld: ready at %.3f s, started at %.3f s", i + 1, gate.ready_at[i] / 1e3,
                   gate.started_at[i] / 1e3);
        tl_csv_row("gate,worker %ld,ready,%.1f", i + 1, gate.ready_at[i]);
        tl_csv_row("gate,worker %ld,started,%.1f", i + 1, gate.started_at[i]);
    }
    tl_csv_row("gate,main,%s,%.1f", ready == workers ? "go" : "gave_up", decided_at);
    tl_event_destroy(&gate.go);
    tl_event_destroy(&gate.abandon);
    int started = atomic_load(&gate.started);
    if (ready == workers) {
        tl_verdict(TL_OK, "workers ready = %ld of %ld (expected %ld): the gate opened at %.3f s",
                   ready, workers, workers, decided_at / 1e3);
        tl_expect(early == 0 && started == workers, TL_FAIL, "workers started before the gate "
                  "opened = %d, after = %d (expected 0 and %ld)", early, started - early, workers);
        return;
    }
    tl_verdict(slow_worker ? TL_OK : TL_FAIL, "start gate gave up at %.3f s: worker %ld did not say "
               "ready within %ld ms (%ld of %ld did); nobody was started (expected %s)",
               decided_at / 1e3, missing + 1, ready_ms, ready, workers,
               slow_worker ? "this, with --slow-worker" : "every worker ready");
    tl_expect(started == 0, TL_FAIL, "workers started after giving up = %d (expected 0)", started);
}

int main(int argc, char **argv)
{
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    tl_report_init("lab04", &common);
    tl_header("event signaling");
    tl_csv_header("step,who,what,ms");
    waiter_and_signaler();
    timed_wait_nobody_sets();
    start_gate();
    tl_checks_step(&tl_lab_checks);
    tl_lesson("An event tells every waiter at once that something happened: set() must wake them "
              "all, a timed wait returns false when nobody came, and a start gate needs a bound "
              "so that one worker that never gets ready cannot stall everyone.");
    return tl_report_exit_status();
}
