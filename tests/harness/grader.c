/* main() of every lab's grader: the lab's check table (labs/NN-topic/checks.c) run on the
 * exercise it is linked with. `make check-labNN` runs it with --friendly; --help lists the rest. */
#include "checks.h"

int main(int argc, char **argv)
{
    return tl_checks_main(&tl_lab_checks, argc, argv);
}
