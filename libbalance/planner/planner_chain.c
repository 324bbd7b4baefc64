/*
 * planner_chain.c - the wide pass's chains: a unit of two moves through
 * three hosts, for a VM v of a contended same-type pair on host A.  A VM
 * x of a host B that v could go to moves on to a host C, and v moves to
 * B: x makes the room (or takes away the contention) that v's arrival
 * would otherwise make a pair of.  Neither move alone need be a unit the
 * search takes - v alone to B adds a pair there, x alone to C may gain
 * nothing - and no swap need do it (x to A may not fit, or crowd A
 * again): on tests/planner/chain-wide.json only a chain parts the pair
 * (doc/planner.md, "Search").
 *
 * Weighed as every unit is (bal__pls_consider, part: it must part a
 * contended pair and pay two margins a migration), only in the wide
 * pass, only for VMs of contended pairs, and screened on the pair counts
 * before any water-fill: first on A and B alone (x's leaving B must make
 * v's arrival there cost fewer pairs than v's leaving A parts), then on
 * C.
 */
#include "planner_units.h"

/* v's move candidates a chain goes through (the most room first), and
 * the hosts x may go on to: its candidates, this many from each index
 * (bal__pls_cand_hosts' k). */
#define CHAIN_HOSTS 8
#define CHAIN_K 3

/* What r[0..n) changes h's contended pairs by (< 0: parts). */
static long dpairs(const srch *s, int h, const rel *r, int n)
{
    return bal__pls_pairs_after(s, h, r, n) - s->side[h].pairs;
}

void bal__pls_chains(srch *s, int v, const int *hs, int nc, cand *best)
{
    int a = s->host[v], i, j, k, nx, cs[UNIT_HOSTS_MAX];
    double bv, bx, W;
    long pv, px, dab;
    rel r[2];

    /* What v's leaving brings at most, and the pairs it parts on A
     * (bal__pls_leave_bound). */
    bal__pls_leave_bound(s, v, &bv, &pv);

    for (i = 1; i <= nc && i <= CHAIN_HOSTS; i++) {
        int b = hs[i];
        const hlist *l = &s->hl[b];

        if (s->in->hosts[b].drained) continue;
        for (j = 0; j < l->n; j++) {
            int x = l->v[j];

            if (x == v || !bal__pls_movable(s, x)) continue;
            /* Where x goes does not matter to A and B: -1 is none. */
            r[0] = (rel){ v, b };
            r[1] = (rel){ x, -1 };
            if ((dab = pv + dpairs(s, b, r, 2)) >= 0) continue;
            /* No chain brings more than its two VMs' leavings bring
             * their hosts (v's arrival at B and x's at C only crowd
             * the others, and a share is at most 1), and one of the wide
             * pass's owes two margins a migration. */
            bal__pls_leave_bound(s, x, &bx, &px);
            W = bal__dmax(bal__dmax(s->maxw[a], s->maxw[b]),
                          bal__dmax(s->m->w[v], s->m->w[x]));
            if (bal__pls_cannot_pay(s, bv + bx, 4, W)) continue;
            nx = bal__pls_cand_hosts(s, x, cs, CHAIN_K);
            for (k = 0; k < nx; k++) {
                int c = cs[k];

                if (c == a || c == b) continue;
                r[1].to = c;
                if (dab + dpairs(s, c, r, 2) >= 0) continue;
                bal__pls_consider(s, r, 2, best, INFINITY, true);
            }
        }
    }
}
