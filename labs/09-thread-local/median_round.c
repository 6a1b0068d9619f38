/* median_round.c — the round of median time, unless a total is wrong (median_round.h). */
#include "median_round.h"

counting_result median_round(counting_result rounds[ROUNDS], long expected)
{
    for (int i = 0; i < ROUNDS; i++)
        if (rounds[i].total != expected)
            return rounds[i];
    for (int i = 1; i < ROUNDS; i++) /* insertion sort by time: ROUNDS is tiny */
        for (int j = i; j > 0 && rounds[j].seconds < rounds[j - 1].seconds; j--) {
            counting_result t = rounds[j];
            rounds[j] = rounds[j - 1];
            rounds[j - 1] = t;
        }
    return rounds[ROUNDS / 2];
}
