"""Settings and thresholds, resolved in one place: CLI > env > ini / pyproject > marker defaults.

Every value is resolved together with where it came from, so a bad value is reported as e.g.
``--modelgate-seed: 'abc' (from env MODELGATE_SEED) is not an integer``. No pytest import:
the plugin hands in the raw sources.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .exceptions import ConfigError
from .gates._keywords import KEYWORDS, keyword, signature

__all__ = [
    "GATE_KINDS",
    "MARKERS",
    "MODELGATE_MARKER",
    "OPTIONS",
    "MarkerSpec",
    "Option",
    "Policy",
    "Settings",
    "load_policy",
    "marker_defaults",
    "read_pyproject_table",
    "resolve_settings",
]

GATE_KINDS = (
    "metric", "compare", "weak_slices", "drift", "latency", "memory",
    "artifact", "robustness", "input_validation", "membership",
    "integrity",
    "determinism", "seed_variance",
    "calibration", "fairness",
)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{value!r} is not a boolean (use true/false)")


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an integer")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an integer") from None


def _to_str(value: Any) -> str:
    text = str(value).strip()
    if not text:
        raise ValueError("empty value")
    return text


def _to_globals(value: Any) -> tuple[str, ...]:
    """Trusted globals from a comma/whitespace-separated string or a list of such strings, vetted
    by the scanner's own validator (`security.parse_allow`): an entry that names, or a wildcard
    that covers, a code-execution global is refused here, at configure time."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise ValueError(f"{value!r} is not a list of strings; give globals such as "
                         "['mypkg.features.Scaler']")
    from .security.policy import parse_allow  # no heavy imports: the allow-list tables only

    out: list[str] = []
    for item in items:
        for entry in re.split(r"[\s,]+", item):
            if not entry:
                continue
            try:
                parse_allow([entry])
            except ConfigError as exc:
                raise ValueError(str(exc).removeprefix("allow: ")) from None
            if entry not in out:
                out.append(entry)
    return tuple(out)


def _to_update_mode(value: Any) -> str | None:
    """`--modelgate-update-baseline` / `=force` (or the env/ini value): None (off), "update", or
    "force" (store failures too)."""
    if isinstance(value, bool):
        return "update" if value else None
    text = str(value).strip().lower()
    if text in {"force", "update"}:
        return text
    if text in {"1", "true", "yes", "on"}:
        return "update"
    if text in {"0", "false", "no", "off", ""}:
        return None
    raise ValueError(f"{value!r} is not one of true, false, force (true may be spelled 1, yes, "
                     "on or update; false 0, no or off)")


def _to_choice(*choices: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return text

    return convert


@dataclass(frozen=True)
class Option:
    """One setting: its CLI flag, ini key, env variable, converter and default."""

    dest: str
    flag: str
    help: str
    convert: Callable[[Any], Any] = _to_str
    default: Any = None
    env: str | None = None
    is_flag: bool = False
    metavar: str | None = None
    repeatable: bool = False
    forced: bool = False  # a flag that also has the exact spelling `FLAG=force`

    @property
    def ini(self) -> str:
        return f"modelgate_{self.dest}"


OPTIONS: tuple[Option, ...] = (
    Option("enabled", "--modelgate", "run the model gate tests and write the gate report",
           _to_bool, False, is_flag=True),
    Option("run_by_default", "--modelgate-run-by-default",
           "run gate tests even without --modelgate", _to_bool, False, is_flag=True),
    Option("report", "--modelgate-report", "JSON gate report path (default modelgate-report.json)",
           _to_str, "modelgate-report.json", "MODELGATE_REPORT", metavar="PATH"),
    Option("markdown", "--modelgate-markdown",
           "Markdown summary path (default: append to $GITHUB_STEP_SUMMARY when set)",
           _to_str, None, "MODELGATE_MARKDOWN", metavar="PATH"),
    Option("html", "--modelgate-html", "HTML report path", _to_str, None, "MODELGATE_HTML",
           metavar="PATH"),
    Option("warn_only", "--modelgate-warn-only",
           "shadow mode: evaluate and report gates, but failures do not fail tests",
           _to_bool, False, "MODELGATE_WARN_ONLY", is_flag=True),
    Option("seed", "--modelgate-seed", "seed for every resampling (default 0)", _to_int, 0,
           "MODELGATE_SEED", metavar="N"),
    Option("baseline", "--modelgate-baseline",
           "stored accepted results (default .modelgate/baseline.json; a relative path from "
           "env/ini/pyproject is taken from the rootdir, one on the command line from the "
           "working directory)", _to_str,
           ".modelgate/baseline.json", "MODELGATE_BASELINE", metavar="PATH"),
    Option("update_baseline", "--modelgate-update-baseline",
           "store this run's results in the baseline file; refused when a gate or test "
           "failed, unless =force", _to_update_mode, None,
           "MODELGATE_UPDATE_BASELINE", is_flag=True, forced=True),
    Option("strict_baseline", "--modelgate-strict-baseline",
           "a max_drop= gate without a stored baseline value fails instead of passing",
           _to_bool, False, "MODELGATE_STRICT_BASELINE", is_flag=True),
    Option("model", "--modelgate-model", "model artifact under test (modelgate_model fixture)",
           _to_str, None, "MODELGATE_MODEL", metavar="PATH"),
    Option("model_version", "--modelgate-model-version",
           "version label of the model under test (default: the file name)", _to_str, None,
           "MODELGATE_MODEL_VERSION", metavar="LABEL"),
    Option("baseline_model", "--modelgate-baseline-model",
           "champion artifact to compare against (modelgate_baseline_model fixture)",
           _to_str, None, "MODELGATE_BASELINE_MODEL", metavar="PATH"),
    Option("model_allow", "--modelgate-model-allow",
           "extra globals to trust when the model fixtures load skops/pickle/joblib files "
           "(module.Name; repeat the flag or separate with commas)",
           _to_globals, (), "MODELGATE_MODEL_ALLOW", metavar="GLOBAL", repeatable=True),
    Option("policy", "--modelgate-policy",
           "TOML policy file overriding gate thresholds (default: [tool.modelgate] in pyproject)",
           _to_str, None, "MODELGATE_POLICY", metavar="FILE"),
    Option("inconclusive", "--modelgate-inconclusive",
           "what an inconclusive verdict does: fail (default) or pass",
           _to_choice("fail", "pass"), "fail", "MODELGATE_INCONCLUSIVE", metavar="fail|pass"),
    Option("latency_under_xdist", "--modelgate-latency-under-xdist",
           "under pytest-xdist, latency gates are report-only (report, default) or enforced",
           _to_choice("report", "enforce"), "report", "MODELGATE_LATENCY_UNDER_XDIST",
           metavar="report|enforce"),
    # result sinks for monitoring (report/sinks.py, docs/sinks.md)
    Option("prometheus", "--modelgate-prometheus",
           "write every gate's value, thresholds and verdict as Prometheus gauges to this "
           "textfile (node_exporter textfile collector), atomically", _to_str, None,
           "MODELGATE_PROMETHEUS", metavar="PATH"),
    Option("mlflow", "--modelgate-mlflow",
           "log every gate's value, thresholds and verdict to MLflow: the active run, or a new "
           "one (MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME, MLFLOW_RUN_ID; "
           "pip install 'pytest-modelgate[mlflow]')", _to_bool, False, "MODELGATE_MLFLOW",
           is_flag=True),
)
_BY_DEST = {o.dest: o for o in OPTIONS}


@dataclass(frozen=True)
class Settings:
    """The resolved run settings, with the source of every value (for messages and the report)."""

    enabled: bool = False
    run_by_default: bool = False
    report: str = "modelgate-report.json"
    markdown: str | None = None
    html: str | None = None
    warn_only: bool = False
    seed: int = 0
    baseline: str = ".modelgate/baseline.json"
    update_baseline: str | None = None  # None, "update" or "force"
    strict_baseline: bool = False
    model: str | None = None
    model_version: str | None = None
    baseline_model: str | None = None
    model_allow: tuple[str, ...] = ()
    policy: str | None = None
    inconclusive: str = "fail"
    latency_under_xdist: str = "report"
    prometheus: str | None = None
    mlflow: bool = False
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """Whether gate tests run in this session."""
        return self.enabled or self.run_by_default


def read_pyproject_table(rootdir: Path) -> tuple[dict[str, Any], Path | None]:
    """The `[tool.modelgate]` table of `rootdir/pyproject.toml` (empty when absent)."""
    path = rootdir / "pyproject.toml"
    if not path.is_file():
        return {}, None
    data = _read_toml(path, str(path))
    table = _tool_table(data, str(path))
    return ({} if table is None else table), path


def _tool_table(data: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    """`data["tool"]["modelgate"]`, None when absent; a non-table on the way is a ConfigError."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{where}: 'tool' must be a table ([tool.modelgate] holds the "
                          f"settings); got {tool!r}")
    table = tool.get("modelgate")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.modelgate] must be a table; got {table!r}")
    return table


def _read_toml(path: Path, where: str) -> dict[str, Any]:
    """Parse a TOML file; unreadable, non-UTF-8 or invalid files are a ConfigError naming it."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}: is not UTF-8 text (byte {exc.start}); TOML files must be "
                          "saved as UTF-8") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML ({exc})") from None
    return data


def resolve_settings(
    cli: Mapping[str, Any],
    ini: Callable[[str], Any],
    pyproject: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve every option: CLI > env > ini > `[tool.modelgate]` > default.

    `cli` maps option dests to values (None when not given), `ini(key)` returns the ini value or
    None. A bad value raises `ConfigError` naming the option and where the value came from.
    """
    env = os.environ if env is None else env
    unknown = set(pyproject) - set(_BY_DEST) - {"gates", "tests"}
    if unknown:
        raise ConfigError(
            f"[tool.modelgate] in pyproject.toml: unknown key(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(_BY_DEST))}, gates, tests"
        )
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for opt in OPTIONS:
        candidates: list[tuple[Any, str]] = []
        if cli.get(opt.dest) not in (None, False):
            candidates.append((cli[opt.dest], f"command line {opt.flag}"))
        if opt.env and env.get(opt.env, "") != "":
            candidates.append((env[opt.env], f"env {opt.env}"))
        ini_value = ini(opt.ini)
        if ini_value not in (None, "", []):
            candidates.append((ini_value, f"ini {opt.ini}"))
        if opt.dest in pyproject:
            candidates.append((pyproject[opt.dest], f"pyproject.toml [tool.modelgate] {opt.dest}"))
        if not candidates:
            values[opt.dest] = opt.default
            sources[opt.dest] = "default"
            continue
        raw, where = candidates[0]
        try:
            values[opt.dest] = opt.convert(raw)
        except ValueError as exc:
            raise ConfigError(f"{opt.flag}: {exc} (from {where})") from None
        sources[opt.dest] = where
    return Settings(**values, sources=sources)


# -- markers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkerSpec:
    """A gate marker: its documented signature, accepted keywords and the gate kinds it feeds."""

    name: str
    signature: str
    doc: str
    keywords: tuple[str, ...]
    kinds: Mapping[str, Mapping[str, str]]  # gate kind -> {marker keyword: gate keyword}


def _same(*names: str) -> dict[str, str]:
    return {n: n for n in names}


def _marker(name: str, doc: str, keywords: tuple[str, ...],
            kinds: Mapping[str, Mapping[str, str]]) -> MarkerSpec:
    """A marker whose documented signature shows the keyword tables' defaults."""
    targets = {mk: next((kind, m[mk]) for kind, m in kinds.items()
                        if mk in m and keyword(kind, m[mk]) is not None) for mk in keywords}
    return MarkerSpec(name, signature(name, targets), doc, keywords, kinds)


MARKERS: Mapping[str, MarkerSpec] = {
    "accuracy": _marker(
        "accuracy",
        "metric gate defaults for gate.metric / gate.compare in this test; decide='point' "
        "fails on a point-estimate miss even when the confidence interval still reaches the "
        "threshold",
        ("metric", "min", "max", "confidence", "slices", "max_drop", "min_slice_size",
         "n_resamples", "decide", "naive", "naive_margin"),
        {
            "metric": _same("metric", "min", "max", "confidence", "slices", "max_drop",
                            "min_slice_size", "n_resamples", "decide", "naive", "naive_margin"),
            "compare": _same("confidence", "max_drop", "n_resamples", "decide"),
            "weak_slices": _same("metric"),
        },
    ),
    "drift": _marker(
        "drift",
        "drift gate defaults for gate.drift in this test",
        ("method", "alpha", "max_share", "columns", "correction", "categorical"),
        {"drift": _same("method", "alpha", "max_share", "columns", "correction", "categorical")},
    ),
    "latency": _marker(
        "latency",
        "latency/memory budgets for gate.latency / gate.memory in this test; durations as "
        "seconds or strings like '5ms', memory as bytes or '200MiB'",
        ("p50", "p95", "p99", "throughput", "memory", "rows", "max_ratio", "min_samples",
         "max_time"),
        {
            "latency": _same("p50", "p95", "p99", "throughput", "rows", "max_ratio",
                             "min_samples", "max_time"),
            "memory": {"memory": "max_bytes"},
        },
    ),
    "security": _marker(
        "security",
        "security gate defaults for gate.artifact / robustness / input_validation / membership",
        ("sha256", "scan", "max_bytes", "noise", "max_flip_rate", "max_advantage", "confidence"),
        {
            "artifact": _same("sha256", "scan", "max_bytes"),
            "robustness": _same("noise", "max_flip_rate", "confidence"),
            "membership": _same("max_advantage", "confidence"),
            "input_validation": {},
        },
    ),
    "integrity": _marker(
        "integrity",
        "integrity gate defaults for gate.integrity in this test (duplicates, label conflicts, "
        "leakage, schema)",
        ("target", "checks", "max_duplicate_share", "max_near_duplicate_share",
         "max_conflict_share", "max_leak_score", "max_null_rate", "max_out_of_range_share",
         "max_new_category_share"),
        {"integrity": _same("target", "checks", "max_duplicate_share",
                            "max_near_duplicate_share", "max_conflict_share", "max_leak_score",
                            "max_null_rate", "max_out_of_range_share",
                            "max_new_category_share")},
    ),
}

#: the plain @pytest.mark.modelgate marker: its keywords are defaults of the gates they feed
MODELGATE_MARKER = _marker(
    "modelgate",
    "a model gate test; skipped unless pytest runs with --modelgate (or ini "
    "modelgate_run_by_default = true); seeds= is the default of gate.seed_variance",
    ("seeds",),
    {"seed_variance": _same("seeds")},
)


def _check_marker_value(spec: MarkerSpec, key: str, value: Any, where: str) -> Any:
    """Check one marker keyword against the table of the first gate kind that takes it."""
    if value is None:
        return None
    for kind, mapping in spec.kinds.items():
        param = keyword(kind, mapping.get(key, ""))
        if param is not None:
            return param.check(value, where)
    return value


def marker_defaults(
    markers: Mapping[str, tuple[tuple[Any, ...], Mapping[str, Any]]], where: str
) -> dict[str, dict[str, Any]]:
    """Turn a test's gate markers into per-kind keyword defaults, validating every keyword.

    `markers` maps marker name to (args, kwargs) of the closest marker of that name.
    """
    out: dict[str, dict[str, Any]] = {}
    for name, (args, kwargs) in markers.items():
        spec = MARKERS.get(name, MODELGATE_MARKER)
        here = f"@pytest.mark.{name} on {where}"
        if args:
            raise ConfigError(f"{here}: takes keyword arguments only, got positional {args!r}; "
                              f"signature: {spec.signature}")
        unknown = sorted(set(kwargs) - set(spec.keywords))
        if unknown:
            raise ConfigError(f"{here}: unknown keyword(s) {', '.join(unknown)}; "
                              f"signature: {spec.signature}")
        checked = {k: _check_marker_value(spec, k, v, here) for k, v in kwargs.items()}
        for kind, mapping in spec.kinds.items():
            target = out.setdefault(kind, {})
            for mk, gk in mapping.items():
                if mk in checked and checked[mk] is not None:
                    target[gk] = checked[mk]
    return out


# -- the policy table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """Threshold overrides from `[tool.modelgate]` (or a policy file), by gate and by test.

    `gates` maps a selector ("metric" or "metric:accuracy") to keyword overrides; `tests` maps a
    node id to the same kind of mapping. Test entries win over gate entries.
    """

    gates: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    tests: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    source: str = "none"

    def overrides_for(self, nodeid: str) -> tuple[Mapping[str, Mapping[str, Any]], ...]:
        """The layers that apply to one test, weakest first: gate-wide, then the test's own."""
        return (self.gates, self.tests.get(nodeid, {}))

    def unmatched(self, results: Iterable[Any]) -> list[str]:
        """Selectors that matched no gate of this run, as written in the table.

        A selector matches a recorded result by kind ("metric") or kind and the name the report
        prints ("metric:f1_macro", "drift:dataset"); a test entry only that test's results.
        """
        seen: set[tuple[str, str]] = set()
        per_test: set[tuple[str, str, str]] = set()
        for r in results:
            kind, name, nodeid = str(r.kind), str(r.name), str(r.nodeid)
            seen.update({(kind, ""), (kind, name)})
            per_test.update({(nodeid, kind, ""), (nodeid, kind, name)})

        def split(selector: str) -> tuple[str, str]:
            kind, _, name = selector.partition(":")
            return kind, name

        out = [f'gates."{sel}"' for sel in self.gates if split(sel) not in seen]
        for nodeid, table in self.tests.items():
            out += [f'tests."{nodeid}"."{sel}"' for sel in table
                    if (nodeid, *split(sel)) not in per_test]
        return out


def _check_selector_table(table: Any, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of gate selectors")
    out: dict[str, dict[str, Any]] = {}
    for selector, values in table.items():
        kind = selector.split(":", 1)[0]
        if kind not in GATE_KINDS:
            raise ConfigError(
                f"{where}: selector {selector!r} must start with a gate kind "
                f"({', '.join(GATE_KINDS)}), optionally followed by ':<gate name>'"
            )
        if not isinstance(values, dict):
            raise ConfigError(f"{where}.{selector}: expected a table of keyword = value")
        here = f"{where}.{selector!s}"
        out[selector] = {k: _check_policy_value(kind, k, v, here) for k, v in values.items()}
    return out


def _check_policy_value(kind: str, key: str, value: Any, where: str) -> Any:
    """A policy value checked against the gate kind's keyword table; unknown keys named."""
    param = keyword(kind, key)
    if param is None:
        import difflib

        known = list(KEYWORDS[kind])
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"{where}: unknown key {key!r}{hint}; {kind} gates take "
                          f"{', '.join(sorted(known))}")
    checked = param.check(value, where)
    if kind == "artifact" and key == "scan" and checked is not True:
        raise ConfigError(f"{where}: scan = {checked!r} is not allowed in a policy; the scan can "
                          "be turned off only in the test code, where reviewers see it "
                          "(gate.artifact(path, scan=False))")
    return checked


def load_policy(table: Mapping[str, Any], source: str) -> Policy:
    """Validate a policy table: ``gates.<selector>`` and ``tests."<nodeid>".<selector>``."""
    gates = _check_selector_table(table.get("gates", {}), f"{source} gates")
    tests_raw = table.get("tests", {})
    if not isinstance(tests_raw, dict):
        raise ConfigError(f"{source} tests: expected a table keyed by test node id")
    tests = {
        nodeid: _check_selector_table(sel, f"{source} tests.{nodeid!r}")
        for nodeid, sel in tests_raw.items()
    }
    return Policy(gates=gates, tests=tests, source=source)


def load_policy_file(path: str) -> Policy:
    """A standalone TOML policy file: top-level `gates`/`tests`, or a `[tool.modelgate]` table."""
    where = f"policy file {path}"
    data = _read_toml(Path(path), where)
    table = _tool_table(data, where)
    return load_policy(data if table is None else table, where)
