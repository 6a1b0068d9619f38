# Sourced by tests/run.sh and tests/stress.sh: the runtime options of the sanitizer build named
# by TL_SAN ("address,undefined", "thread" or empty), and how much longer test deadlines get.
case "${TL_SAN:-}" in
  *thread*)
    # TSan is 5-15x slower: deadlines stretch accordingly. The suppression file names each
    # intentional race by function, with the reason.
    export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1 atexit_sleep_ms=0"
    export TL_TIMEOUT_SCALE=${TL_TIMEOUT_SCALE:-6} ;;
  *address*)
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    export TL_TIMEOUT_SCALE=${TL_TIMEOUT_SCALE:-3} ;;
esac
