"""Judge for integrity gates: one `GateResult` per check of a train/test split (or of current
data against a reference profile's schema).

Called by `Gate.integrity` in `_recorder.py`. Counts are exact, so duplicates, label conflicts,
ranges, categories and the schema pass or fail outright; the null-rate check is statistical (a
rise over the reference's rate) and gates on a Wilson interval, with a rows-needed estimate when
inconclusive. Every message names the count, share, threshold and the first offending rows.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_modelgate._numbers import format_interval
from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.results import GateResult, decide

from ._text import fmt_number as _g

if TYPE_CHECKING:
    from pytest_modelgate.drift._integrity import Duplicates, Pair, SchemaReport
    from pytest_modelgate.drift._schema import Schema

    from ._recorder import GateContext

__all__ = ["CHECKS", "INTEGRITY_KEYWORDS", "integrity", "report_name"]

#: every check, in report order
CHECKS: tuple[str, ...] = (
    "duplicates", "near_duplicates", "label_conflicts", "split_label_conflicts", "leakage",
    "schema", "null_rate", "range", "new_categories",
)
_ROW_CHECKS = CHECKS[:5]
_LABEL_CHECKS = ("label_conflicts", "split_label_conflicts", "leakage")
INTEGRITY_KEYWORDS: tuple[str, ...] = (
    "target", "checks", "columns", "max_duplicate_share", "near_digits",
    "max_near_duplicate_share", "max_conflict_share", "max_leak_score", "leak_folds",
    "leak_max_rows", "max_null_rate", "null_tolerance", "confidence", "range_tolerance",
    "max_out_of_range_share", "max_categories", "max_new_category_share", "name",
)
_SHOWN = 5


def report_name(check: str, prefix: str | None) -> str:
    """The report name of one check: the check, after the gate's `name=` when given."""
    return f"{prefix}:{check}" if prefix else check


def _pct(share: float) -> str:
    return f"{_num(100 * share, digits=3)}%"


def _n(k: int, word: str) -> str:
    """"1 test row", "3 test rows"."""
    return f"{k} {word}{'' if k == 1 else 's'}"


def _rows(rows: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(i)) for i in rows) + "]"


def _load(train: Any) -> Any:
    if isinstance(train, (str, os.PathLike)):
        from pytest_modelgate.drift import Profile

        return Profile.load(train)
    return train


def _select(checks: Any, available: set[str], why: Mapping[str, str]) -> list[str]:
    """The checks to run: the requested ones (each must apply), else every one that applies."""
    if checks is None:
        return [c for c in CHECKS if c in available]
    wanted = [checks] if isinstance(checks, str) else list(checks)
    for c in wanted:
        if c not in CHECKS:
            import difflib

            close = difflib.get_close_matches(str(c), CHECKS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"gate.integrity: unknown check {c!r}{hint}; checks: "
                              f"{', '.join(CHECKS)}")
        if c not in available:
            raise ConfigError(f"gate.integrity: check {c!r} cannot run here: {why[c]}")
    return [c for c in CHECKS if c in wanted]


def integrity(ctx: GateContext, train: Any, test: Any, *, y_train: Any, y_test: Any,
              kw: Mapping[str, Any], settings: Callable[[str], Mapping[str, Any]]
              ) -> list[tuple[str, GateResult]]:
    """Run the requested (or every applicable) check; `settings(check)` gives each check's
    keywords with the policy for `integrity:<check>` applied."""
    from pytest_modelgate.drift import Profile
    from pytest_modelgate.drift._integrity import Pair

    train = _load(train)
    prefix = kw.get("name")
    target = kw.get("target")
    is_profile = isinstance(train, Profile)
    why: dict[str, str] = {}
    available = set(CHECKS)
    if is_profile:
        if y_train is not None or y_test is not None or target is not None:
            raise ConfigError("gate.integrity: train is a profile (no rows), so labels cannot be "
                              "checked; pass the training data itself for label checks")
        for c in _ROW_CHECKS:
            why[c] = "train is a profile (no rows); pass the training data itself"
        available -= set(_ROW_CHECKS)
        pair = None
    else:
        pair = Pair.build(train, test, target=target, y_train=y_train, y_test=y_test,
                          columns=kw.get("columns"))
        if not pair.has_labels:
            for c in _LABEL_CHECKS:
                why[c] = "it needs labels; pass target='<label column>' or y_train=/y_test="
            available -= set(_LABEL_CHECKS)
        elif not pair.has_test_labels:
            why["split_label_conflicts"] = "it needs test labels (y_test=, or the target column " \
                                           "in test)"
            available.discard("split_label_conflicts")
    chosen = _select(kw.get("checks"), available, why)
    out: list[tuple[str, GateResult]] = []
    exact: Duplicates | None = None
    report: SchemaReport | None = None
    for check in chosen:
        s = settings(check)
        name = report_name(check, prefix)
        if check in ("duplicates", "near_duplicates"):
            from pytest_modelgate.drift._integrity import duplicates, near_duplicates

            assert pair is not None
            if exact is None:
                exact = duplicates(pair)
            if check == "duplicates":
                out.append((check, _duplicates(ctx, name, pair, exact, s)))
            else:
                near = near_duplicates(pair, int(s.get("near_digits", 4)), exact)
                out.append((check, _duplicates(ctx, name, pair, near, s)))
        elif check in ("label_conflicts", "split_label_conflicts"):
            assert pair is not None
            out.append((check, _conflicts(ctx, name, check, pair, s)))
        elif check == "leakage":
            assert pair is not None
            out.append((check, _leakage(ctx, name, pair, s)))
        else:
            if report is None:
                report = _schema_report(train, test, kw, pair)
            out.append((check, _SCHEMA_JUDGES[check](ctx, name, report, s)))
    return out


# -- rows -------------------------------------------------------------------------------------


def _result(ctx: GateContext, name: str, value: float, threshold: Mapping[str, Any],
            verdict: str, message: str, n: int, details: Mapping[str, Any], *,
            margin: float | None, method: str, unit: str = "share",
            ci: tuple[float, float] | None = None, confidence: float | None = None,
            direction: str = "lower") -> GateResult:
    return GateResult(nodeid=ctx.nodeid, kind="integrity", name=name, value=float(value),
                      threshold=dict(threshold), direction=direction,  # type: ignore[arg-type]
                      ci=ci, confidence=confidence, margin=margin,
                      verdict=verdict,  # type: ignore[arg-type]
                      message=message, method=method, n=n, unit=unit, details=details)


def _random_split_allowance(p0: float, m: int, confidence: float) -> int:
    """Most of m test rows a random split puts on a per-row rate p0 (binomial, at `confidence`)."""
    from scipy.stats import binom

    if p0 <= 0.0 or m <= 0:
        return 0
    return int(binom.ppf(confidence, m, min(p0, 1.0)))


def _duplicates(ctx: GateContext, name: str, pair: Pair, d: Duplicates,
                s: Mapping[str, Any]) -> GateResult:
    from pytest_modelgate.drift._integrity import repeats

    near = d.near_digits is not None
    key = "max_near_duplicate_share" if near else "max_duplicate_share"
    given = s.get(key)
    conf = float(s.get("confidence") or 0.95)
    rp = repeats(pair, d.near_digits)
    p0 = rp.share
    if near:
        p0 = max(0.0, p0 - repeats(pair).share)
    allowed: int | None = None
    if given is not None:
        thr = float(given)
    else:
        allowed = _random_split_allowance(p0, d.n_test, conf)
        thr = allowed / d.n_test if d.n_test else 0.0
    dec = decide(d.share, None, max=thr)
    what = (f"near-duplicate{'' if d.count == 1 else 's'} of {'a train row' if d.count == 1 else 'train rows'} "
            f"(equal after rounding numbers to {d.near_digits} significant digits and "
            f"normalising text; exact duplicates not counted)" if near
            else f"exact duplicate{'' if d.count == 1 else 's'} of "
                 f"{'a train row' if d.count == 1 else 'train rows'}")
    article = ("a " if near else "an ") if d.count == 1 else ""
    head = (f"{_n(d.count, 'test row')} ({_pct(d.share)}) {'is' if d.count == 1 else 'are'} "
            f"{article}{what}" if d.count else
            f"no test row is {'a near-duplicate' if near else 'an exact duplicate'} of a train "
            f"row ({_num(d.n_test)} test rows, {_num(d.n_train)} train rows, {len(pair.columns)} feature "
            f"columns)")
    if d.count:
        head += (f", e.g. test rows {_rows(d.examples)} (train rows "
                 f"{_rows(d.train_rows[:_SHOWN].tolist())})")
    msg = f"{head}; {key} {_num(thr, digits=6)}"
    if allowed is not None:
        msg += (f" (derived: {_pct(p0)} of train rows {'nearly ' if near else ''}repeat another "
                f"train row, the rate a random split of the same data gives, Good-Turing; at "
                f"most {_n(allowed, 'row')} at confidence {_num(conf, digits=6)}, binomial)")
    if dec.verdict == "passed" and d.count and allowed is not None and p0 > 0:
        msg += (f". The feature space has only {rp.distinct:,} distinct "
                f"{'rounded ' if near else ''}feature rows in {rp.n:,} train rows: "
                f"{_pct(d.share)} overlap is expected for a random split (the features cannot "
                f"tell these rows apart)")
    elif dec.verdict != "passed":
        if allowed is not None and p0 > 0:
            msg += (f". More test rows repeat train rows than a random split of this data "
                    f"gives ({_pct(p0)}): rows were probably copied across the split")
        msg += (". The model is evaluated on rows it was trained on: drop them from the test "
                "set, or split by a group key (e.g. sklearn GroupShuffleSplit) so one entity "
                f"cannot land on both sides; or raise {key}")
    details = {"count": d.count, "n_test": d.n_test, "n_train": d.n_train,
               "examples": list(d.examples), "train_examples": d.train_rows[:_SHOWN].tolist(),
               "columns": [str(c) for c in pair.feature_names], "expected_share": p0,
               "distinct_train_rows": rp.distinct, "allowed_rows": allowed,
               "derived": allowed is not None}
    if near:
        details.update(near_digits=d.near_digits, exact=d.n_exact)
    return _result(ctx, name, d.share, {key: thr}, dec.verdict, msg, d.n_test, details,
                   margin=dec.margin, method="row-hash-near" if near else "row-hash")


#: label_conflicts is informational by default once at least this share of train rows repeats
#: another train row's features (discrete features: identical rows with two labels are noise)
_DISCRETE_REPEAT_SHARE = 0.5


def _conflicts(ctx: GateContext, name: str, check: str, pair: Pair,
               s: Mapping[str, Any]) -> GateResult:
    from pytest_modelgate.drift._integrity import conflicts, repeats

    c = conflicts(pair)
    given = s.get("max_conflict_share")
    conf = float(s.get("confidence") or 0.95)
    train_share = c.train_rows.size / c.n_train if c.n_train else 0.0
    rp = repeats(pair)
    derived = ""
    allowed: int | None = None
    if check == "label_conflicts":
        rows, n = c.train_rows, c.n_train
        count = int(rows.size)
        share = count / n
        head = (f"{_n(count, 'train row')} ({_pct(share)}) {'has' if count == 1 else 'have'} "
                f"identical features but different labels ({_n(c.n_groups, 'group')}), e.g. "
                f"train rows {_rows(rows[:_SHOWN].tolist())}"
                if count else f"no two train rows with identical features have different labels "
                              f"({_num(n)} train rows)")
        fix = ("fix or drop the mislabelled rows (the model cannot fit both labels), or add "
               "the feature that tells them apart")
        if given is not None:
            thr = float(given)
        elif rp.share >= _DISCRETE_REPEAT_SHARE:
            thr = 1.0
            derived = (f" (derived: {_pct(rp.share)} of train rows repeat another train row's "
                       f"features, only {rp.distinct:,} distinct feature rows: identical features "
                       f"with different labels are label noise the features cannot resolve, "
                       f"reported for information; set max_conflict_share to gate it)")
        else:
            thr = 0.0
            derived = (f" (derived: the feature rows are mostly unique, {_pct(rp.share)} of "
                       f"train rows repeat another, so a repeat with another label is suspect)")
    else:
        assert c.test_rows is not None
        rows, n = c.test_rows, c.n_test
        count = int(rows.size)
        share = count / n
        head = (f"{_n(count, 'test row')} ({_pct(share)}) repeat{'s' if count == 1 else ''} "
                f"a train row's features with a different label, e.g. test rows "
                f"{_rows(rows[:_SHOWN].tolist())}" if count else
                f"no test row repeats a train row's features with a different label ({n} test "
                f"rows)")
        fix = ("check the labels of these rows in both splits; a model cannot be right on "
               "both")
        if given is not None:
            thr = float(given)
        else:
            allowed = _random_split_allowance(train_share, n, conf)
            thr = allowed / n if n else 0.0
            derived = (f" (derived: {_pct(train_share)} of train rows share their features with "
                       f"a train row of another label, the rate a random split gives; at most "
                       f"{_n(allowed, 'row')} at confidence {_num(conf, digits=6)}, binomial)")
    dec = decide(share, None, max=thr)
    msg = f"{head}; max_conflict_share {_num(thr, digits=6)}{derived}"
    if dec.verdict != "passed":
        msg += f". To fix: {fix}; or raise max_conflict_share"
    elif count and given is None:
        msg += (". This is label noise of discrete features (identical features, different "
                "labels), as often as in train: expected")
    details = {"count": count, "n": n, "examples": rows[:_SHOWN].tolist(),
               "derived": given is None, "train_conflict_share": train_share,
               "train_repeat_share": rp.share, "distinct_train_rows": rp.distinct,
               "allowed_rows": allowed}
    if check == "label_conflicts":
        details["groups"] = c.n_groups
    return _result(ctx, name, share, {"max_conflict_share": thr}, dec.verdict, msg, n, details,
                   margin=dec.margin, method="row-hash")


def _leakage(ctx: GateContext, name: str, pair: Pair, s: Mapping[str, Any]) -> GateResult:
    from pytest_modelgate.drift._integrity import leakage

    thr = float(s.get("max_leak_score", 0.99))
    res = leakage(pair, seed=ctx.seed, folds=int(s.get("leak_folds", 3)),
                  max_rows=int(s.get("leak_max_rows", 20_000)))
    worst, score = res.worst()
    label = "balanced accuracy" if res.metric == "balanced_accuracy" else "R²"
    leaks = sorted(((k, v) for k, v in res.scores.items() if v > thr), key=lambda kv: -kv[1])
    how = (f"out of fold, {res.folds} folds on {res.n} labelled train rows: each row gets the "
           f"label of the nearest value of that feature alone")
    if worst is None:
        msg = "INCONCLUSIVE: no feature could be scored (" + (res.reason or "; ".join(
            f"{k!s}: {v}" for k, v in res.skipped.items())) + "); pass more labelled train rows"
        verdict = "inconclusive"
        margin = None
    elif leaks:
        shown = ", ".join(f"{k!r} ({label} {_g(v)})" for k, v in leaks[:8])
        msg = (f"{len(leaks)} feature{'s' if len(leaks) != 1 else ''} alone predict"
               f"{'s' if len(leaks) == 1 else ''} the label almost perfectly: {shown} "
               f"({how}); max_leak_score {_num(thr, digits=6)}. A feature this predictive is usually "
               f"derived from the label or recorded after it: drop it, or rebuild it from "
               f"data available at prediction time; or raise max_leak_score")
        verdict = "failed"
        margin = thr - score
    else:
        msg = (f"no single feature predicts the label almost perfectly: the best is {worst!r} "
               f"with {label} {_g(score)} ({how}); max_leak_score {_num(thr, digits=6)}")
        verdict = "passed"
        margin = thr - score
    details = {"scores": {str(k): v for k, v in res.scores.items()}, "metric": res.metric,
               "task": res.task, "n": res.n, "folds": res.folds,
               "leaking": [str(k) for k, _ in leaks], "worst": None if worst is None
               else str(worst), "skipped": {str(k): v for k, v in res.skipped.items()}}
    return _result(ctx, name, score if worst is not None else math.nan,
                   {"max_leak_score": thr}, verdict, msg, res.n, details, margin=margin,
                   method=f"single-feature-{res.metric}", unit=res.metric)


# -- schema -------------------------------------------------------------------------------------


def _schema_report(train: Any, test: Any, kw: Mapping[str, Any], pair: Pair | None
                   ) -> SchemaReport:
    """Current data against the stored schema of a profile, or one inferred from train."""
    from pytest_modelgate.drift import Profile
    from pytest_modelgate.drift._integrity import check_schema
    from pytest_modelgate.drift._schema import (
        MAX_CATEGORIES,
        NULL_TOLERANCE,
        RANGE_TOLERANCE,
        infer_schema,
        read_schema_section,
    )

    nt, rt, mc = kw.get("null_tolerance"), kw.get("range_tolerance"), kw.get("max_categories")
    columns = kw.get("columns")
    if isinstance(columns, (str, int)):
        columns = [columns]
    target = kw.get("target")
    schema: Schema | None = None
    if isinstance(train, Profile) and mc is None:
        schema = read_schema_section(train, "profile")
        if schema is not None:
            schema = schema.with_tolerances(null_tolerance=nt, range_tolerance=rt)
            if columns is not None:
                from dataclasses import replace

                schema = replace(schema, columns={k: v for k, v in schema.columns.items()
                                                  if k in columns})
    if schema is None:
        schema = infer_schema(train, columns=columns,
                              max_categories=MAX_CATEGORIES if mc is None else int(mc),
                              null_tolerance=NULL_TOLERANCE if nt is None else float(nt),
                              range_tolerance=RANGE_TOLERANCE if rt is None else float(rt))
    skip: list[Hashable] = []
    if target is not None:
        from pytest_modelgate.drift._data import as_table

        if target not in as_table(test, "test").names:
            skip.append(target)  # an unlabelled test set lacks the label column by design
    if columns is not None:
        from pytest_modelgate.drift._data import as_table

        skip += [n for n in as_table(test, "test").names if n not in columns]
    return check_schema(schema, test, skip=skip)


def _schema(ctx: GateContext, name: str, rep: SchemaReport, s: Mapping[str, Any]) -> GateResult:
    problems: list[str] = []
    for col in rep.missing_columns:
        problems.append(f"column {col!r} is missing from test")
    for col in rep.extra_columns:
        problems.append(f"column {col!r} is not in the reference")
    for col, (ref, cur) in rep.dtype_mismatches.items():
        hint = (" (a missing value turns a pandas int column into float)" if
                ref.startswith(("int", "Int")) and cur.startswith(("float", "Float")) else "")
        problems.append(f"column {col!r} is {cur} in test, {ref} in the reference{hint}")
    count = len(problems)
    ncols = len(rep.schema.columns)
    if count:
        msg = (f"{count} schema mismatch{'es' if count != 1 else ''}: " + "; ".join(problems[:8])
               + (f"; ... and {count - 8} more" if count > 8 else "")
               + "; max_mismatches 0. Fix the pipeline that builds test, or refresh the "
                 "reference (profile) if the change is intended")
        verdict = "failed"
    else:
        msg = f"all {ncols} reference columns present with the same dtype family, none extra"
        verdict = "passed"
    details = {"missing_columns": [str(c) for c in rep.missing_columns],
               "extra_columns": [str(c) for c in rep.extra_columns],
               "dtype_mismatches": {str(k): {"reference": a, "test": b}
                                    for k, (a, b) in rep.dtype_mismatches.items()},
               "n_columns": ncols}
    return _result(ctx, name, float(count), {"max_mismatches": 0}, verdict, msg, rep.n, details,
                   margin=float(-count), method="schema", unit="columns")


def _rows_needed(p: float, thr: float, confidence: float) -> int | None:
    """Rows at which the Wilson upper bound of rate p would fall below thr (normal approx.)."""
    from scipy.stats import norm

    if p >= thr:
        return None
    z = float(norm.ppf(0.5 + confidence / 2))
    var = p * (1 - p) if p > 0 else thr * (1 - thr) / 4
    return math.ceil(z * z * var / (thr - p) ** 2)


_ORDER = {"failed": 0, "inconclusive": 1, "passed": 2}


def _null_rate(ctx: GateContext, name: str, rep: SchemaReport, s: Mapping[str, Any]
               ) -> GateResult:
    from pytest_modelgate.drift._integrity import wilson

    conf = float(s.get("confidence") or 0.95)
    given = s.get("max_null_rate")
    per: dict[str, dict[str, Any]] = {}
    rows: list[tuple[str, float, float, tuple[float, float] | None, str, float | None]] = []
    for col, chk in rep.checks.items():
        cs = rep.schema.columns[col]
        thr = float(given) if given is not None else cs.max_null_rate
        k, n = chk.n_missing, chk.n
        rate = k / n if n else 0.0
        ci: tuple[float, float] | None = None
        margin: float | None
        if thr == 0.0:
            verdict, margin = ("failed", -rate) if k else ("passed", 0.0)
        else:
            ci = wilson(k, n, conf)
            dec = decide(rate, ci, max=thr)
            verdict, margin = dec.verdict, dec.margin
        per[str(col)] = {"null_rate": rate, "n_missing": k, "n": n,
                         "reference_null_rate": cs.null_rate, "max_null_rate": thr,
                         "ci": None if ci is None else list(ci), "verdict": verdict,
                         "examples": list(chk.missing_rows)}
        rows.append((str(col), rate, thr, ci, verdict, margin))
    details: dict[str, Any] = {"columns": per, "confidence": conf}
    if not rows:
        return _result(ctx, name, 0.0, {"max_null_rate": given}, "passed",
                       "no column to check", rep.n, details, margin=None, method="wilson")
    rows.sort(key=lambda r: (_ORDER[r[4]], r[5] if r[5] is not None else 0.0))
    col, rate, thr, ci, verdict, worst_margin = rows[0]
    info = per[col]
    bad = [r for r in rows if r[4] != "passed"]
    where = "max_null_rate" if given is not None else (
        "not nullable: the reference had no missing value" if thr == 0.0 else
        f"reference {_pct(info['reference_null_rate'])} + null_tolerance "
        f"{_num(rep.schema.null_tolerance, digits=6)}")

    def one(r: tuple[str, float, float, tuple[float, float] | None, str, float | None]) -> str:
        c, p, t, iv, _, _ = r
        d = per[c]
        ci_txt = "" if iv is None else (f", CI {format_interval(100 * iv[0], 100 * iv[1], '%', digits=3)}"
                                        f" at {_num(conf, digits=6)}")
        return (f"column {c!r}: null rate {_pct(p)} ({_num(d['n_missing'])} of {_num(d['n'])} test rows"
                f"{ci_txt}) vs max_null_rate {_pct(t)}"
                + (f", e.g. test rows {_rows(d['examples'])}" if d["examples"] else ""))

    if verdict == "passed":
        with_nulls = [r for r in rows if r[1] > 0 or r[2] > 0]
        if with_nulls:
            msg = (f"null rates within their limits in all {_num(len(rows))} columns; closest: "
                   f"{one(with_nulls[0])}")
        else:
            msg = (f"no missing value in any of the {_num(len(rows))} columns (none had missing "
                   f"values in the reference either: not nullable)")
    else:
        over = [r for r in bad if r[4] == "failed"]
        open_ = [r for r in bad if r[4] == "inconclusive"]
        parts = []
        if over:
            parts.append(f"{_n(len(over), 'column')} over the null-rate limit: "
                         + "; ".join(one(r) for r in over[:_SHOWN]))
        if open_:
            parts.append(f"{_n(len(open_), 'column')} undecided (rate within the limit, its "
                         f"upper bound not): " + "; ".join(one(r) for r in open_[:_SHOWN]))
        msg = "; ".join(parts) + f" (worst: {where})"
        if verdict == "inconclusive":
            need = _rows_needed(rate, thr, conf)
            msg += (". INCONCLUSIVE: the rate is within the limit but its interval is not; "
                    + (f"about {need:,} test rows would decide it" if need else
                       "more rows would decide it"))
            details["rows_needed"] = need
        else:
            msg += (". Find where the values go missing upstream; if the change is expected, "
                    "refresh the reference or set max_null_rate")
    return _result(ctx, name, rate, {"max_null_rate": thr}, verdict, msg, rep.n, details,
                   margin=worst_margin, method="wilson" if ci is not None else "count", ci=ci,
                   confidence=conf if ci is not None else None)


def exchangeable_allowance(n_ref: int, m: int, alpha: float) -> int:
    """Most values of an m-row sample that may fall outside the range of n_ref reference values
    before the sample is implausible (level alpha) as a draw of the same distribution.

    Exchangeability alone (no distribution assumed, ties allowed): at least j new values beyond
    the reference maximum has probability at most C(m, j) / C(n_ref + m, j); k values beyond
    either end need ceil(k/2) on one side, so P(K >= k) <= 2 C(m, j) / C(n_ref + m, j).
    """
    if m <= 0:
        return 0
    if n_ref <= 0:
        return m
    p, j = 1.0, 0
    while j < m:
        p *= (m - j) / (n_ref + m - j)
        j += 1
        if 2 * p <= alpha:
            return 2 * j - 2
    return m


def _range(ctx: GateContext, name: str, rep: SchemaReport, s: Mapping[str, Any]) -> GateResult:
    given = s.get("max_out_of_range_share")
    conf = float(s.get("confidence") or 0.95)
    cols = {c: chk for c, chk in rep.checks.items() if chk.out_of_range is not None}
    alpha = (1 - conf) / max(len(cols), 1)  # Bonferroni over the columns checked
    per: dict[str, dict[str, Any]] = {}
    for col, chk in cols.items():
        assert chk.out_of_range is not None
        cs = rep.schema.columns[col]
        k = int(chk.out_of_range.size)
        m = chk.n - chk.n_missing
        n_ref = cs.n - cs.n_missing
        if given is not None:
            limit, allowed = float(given), None
        else:  # a reference without values vouches for none
            allowed = exchangeable_allowance(n_ref, m, alpha) if n_ref > 0 else 0
            limit = allowed / chk.n if chk.n else 0.0
        per[str(col)] = {"count": k, "share": k / chk.n if chk.n else 0.0, "low": cs.low,
                         "high": cs.high, "reference_min": cs.min, "reference_max": cs.max,
                         "empty_reference": n_ref == 0,
                         "time": None if not (chk.family == cs.family == "datetime") else
                         "delta" if cs.dtype.startswith("timedelta") else "stamp",
                         "limit": limit, "allowed_rows": allowed,
                         "examples": chk.out_of_range[:_SHOWN].tolist()}
    how = ("max_out_of_range_share" if given is not None else
           f"derived: more rows than a same-distribution sample has outside the reference range "
           f"with probability {_num(1 - conf, digits=6)} (exchangeability bound, Bonferroni over "
           f"{_n(len(per), 'column')})")

    def what(c: str, d: dict[str, Any]) -> str:
        if d["empty_reference"]:
            return ("hold values, but the reference column has no value at all (every row "
                    "missing), so it vouches for none")
        delta = d["time"] == "delta"
        f: Callable[[Any], str] = (lambda x: _when(x, delta)) if d["time"] else _g
        span = (format_interval(f(d["low"]), f(d["high"])) if d["time"] else
                format_interval(d["low"], d["high"], missing="n/a"))
        return f"outside {span}" + (
            f" (reference min {f(d['reference_min'])}, max {f(d['reference_max'])}, widened by "
            f"range_tolerance {_num(rep.schema.range_tolerance, digits=6)} x span)"
            if (d["low"], d["high"]) != (d["reference_min"], d["reference_max"])
            else " (the reference's min and max)")

    return _share_check(ctx, name, rep, per, "max_out_of_range_share", "range", what,
                        "numeric or datetime columns with a range",
                        "Look for a unit change, a sign flip or a sentinel value (e.g. -999) "
                        "upstream: fix the data, or widen the range (range_tolerance, or low/high "
                        "in the profile's schema)", how, given)


def _when(ns: float | None, delta: bool = False) -> str:
    """A range end stored as UTC (or timedelta) nanoseconds, as an ISO timestamp (UTC)."""
    if ns is None or not math.isfinite(ns):
        return _g(ns)
    try:
        import pandas as pd
    except ImportError:  # a report rebuilt where pandas is absent: the stdlib's forms
        import datetime as dt

        step = dt.timedelta(microseconds=int(ns) // 1000)
        return str(step) if delta else (dt.datetime(1970, 1, 1) + step).isoformat()
    return str(pd.Timedelta(int(ns))) if delta else pd.Timestamp(int(ns)).isoformat()


def _new_categories(ctx: GateContext, name: str, rep: SchemaReport, s: Mapping[str, Any]
                    ) -> GateResult:
    thr = float(s.get("max_new_category_share", 0.0))
    per: dict[str, dict[str, Any]] = {}
    for col, chk in rep.checks.items():
        if chk.new_categories is None:
            continue
        k = int(chk.new_categories.size)
        per[str(col)] = {"count": k, "share": k / chk.n if chk.n else 0.0,
                         "unseen": list(chk.unseen), "limit": thr,
                         "n_allowed": len(rep.schema.columns[col].domain or ()),
                         "examples": chk.new_categories[:_SHOWN].tolist()}
    return _share_check(ctx, name, rep, per, "max_new_category_share", "categories",
                        lambda c, d: "hold categories the reference never saw ("
                                     + ", ".join(repr(u) for u in d["unseen"][:5])
                                     + (", ..." if len(d["unseen"]) > 5 else "") + ")",
                        "low-cardinality columns",
                        "Map the new values to known ones upstream, or refresh the reference "
                        "(profile) if they are legitimate", "", thr)


def _share_check(ctx: GateContext, name: str, rep: SchemaReport, per: dict[str, dict[str, Any]],
                 key: str, method: str, what: Callable[[str, dict[str, Any]], str],
                 scope: str, fix: str, how: str, default: float | None = None) -> GateResult:
    """A per-column count of offending rows against each column's limit (a share of test rows);
    the result shows the column closest to (or furthest over) its limit."""
    details: dict[str, Any] = {"columns": per}
    if not per:
        return _result(ctx, name, 0.0, {key: default}, "passed", f"no {scope} to check",
                       rep.n, details, margin=default, method=method)
    worst = min(per, key=lambda c: per[c]["limit"] - per[c]["share"])
    w = per[worst]
    dec = decide(w["share"], None, max=w["limit"])
    bad = [c for c, d in per.items() if d["share"] > d["limit"]]

    def limit(d: dict[str, Any]) -> str:
        allowed = d.get("allowed_rows")
        return f"{key} {_g(d['limit'])}" + (f" ({_num(allowed)} rows)" if allowed is not None else "")

    paren = f" ({how})" if how else ""
    if not bad:
        msg = (f"no column fails ({len(per)} {scope} checked); closest: column {worst!r} with "
               f"{_n(w['count'], 'test row')} ({_pct(w['share'])}), {limit(w)}{paren}")
    else:
        parts = [f"column {c!r}: {_n(per[c]['count'], 'test row')} ({_pct(per[c]['share'])}) "
                 f"{what(c, per[c])}, e.g. test rows {_rows(per[c]['examples'])}; {limit(per[c])}"
                 for c in sorted(bad, key=lambda c: -per[c]["share"])[:_SHOWN]]
        msg = (f"{_n(len(bad), 'column')} fail{'s' if len(bad) == 1 else ''}: "
               + "; ".join(parts) + f"{paren}. {fix}; or raise {key}")
    details["worst"] = worst
    return _result(ctx, name, w["share"], {key: w["limit"]}, dec.verdict, msg, rep.n, details,
                   margin=dec.margin, method=method)


_SCHEMA_JUDGES: dict[str, Callable[[GateContext, str, SchemaReport, Mapping[str, Any]],
                                   GateResult]] = {
    "schema": _schema, "null_rate": _null_rate, "range": _range,
    "new_categories": _new_categories,
}
