// Package judging is the Seoul Smart City Prize's judging: the committee's
// conflicts of interest (declared and detected), the optimal assignment of
// judges to applications (a min-cost flow), the rubric of six criteria,
// fair results (per-judge z-scores and an additive judge-effect model) and
// inter-rater reliability (Krippendorff's alpha, the six intraclass
// correlations), and the fixed tie-break sequence.
//
// Everything here is pure computation on values: storage, pages and the
// embargo are the callers'.
package judging
