"""pytest wiring only: options, markers, fixtures, collection, result transport and the summary.

Loaded by pytest on every run wherever the package is installed, so it imports nothing heavy:
engines, reports and loaders are imported inside hook and fixture bodies, and only when
`--modelgate` (or `modelgate_run_by_default`) is active.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._state import SessionState
from .exceptions import ModelGateError

if TYPE_CHECKING:
    from .gates import Gate
    from .loaders import LoadedModel

__all__ = ["GATE_FIXTURES", "RESULT_PROPERTY"]

RESULT_PROPERTY = "modelgate_result"
GATE_FIXTURES = frozenset({"gate", "modelgate_model", "modelgate_baseline_model",
                           "modelgate_seeds"})


STATE_KEY = pytest.StashKey[SessionState]()
DEFAULTS_KEY = pytest.StashKey[dict[str, dict[str, Any]]]()
GATE_KEY = pytest.StashKey["Gate"]()
TRUSTED_KEY = pytest.StashKey[dict[str, tuple[str, ...]]]()  # path -> globals the loader trusted
NOTES_KEY = pytest.StashKey[list[str]]()  # lines for the terminal summary that are not errors
INTERRUPTED_KEY = pytest.StashKey[bool]()  # the session stopped before every test ran
NO_GATES_KEY = pytest.StashKey[bool]()  # the reports of this run say "no gate ran"
MARKER_ERROR_KEY = pytest.StashKey[Exception]()  # a bad gate-marker argument of this test
SINKS_KEY = pytest.StashKey[list[Any]]()  # result sinks (Prometheus, MLflow) closed at the end


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


# -- options, hooks, markers ----------------------------------------------------------------------


_SPELLED_SHOWN = ("force", "true", "false")
_SPELLED_HIDDEN = ("yes", "1", "on", "update", "no", "0", "off")


class _SpelledFlag(argparse.Action):
    """A flag spelled `--flag` or `--flag=value`: stores True or the value after `=` (the
    setting's converter then reads it as it reads the env variable)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        _, eq, value = (option_string or "").partition("=")
        setattr(namespace, self.dest, value if eq else True)


def pytest_addoption(parser: pytest.Parser) -> None:
    from .policy import OPTIONS

    group = parser.getgroup("modelgate", "model gates (pytest-modelgate)")
    for opt in OPTIONS:
        env = f" [env {opt.env}]" if opt.env else ""
        if opt.is_flag and opt.forced:
            # Option strings matched exactly by argparse: the bare flag stays a flag (never
            # swallows the next path), a value works only in the `=` spelling, and the env's
            # spellings work too (hidden); argparse's error for any other value lists these.
            group.addoption(opt.flag, *(f"{opt.flag}={v}" for v in _SPELLED_SHOWN),
                            action=_SpelledFlag, default=None, dest=f"modelgate_{opt.dest}",
                            help=f"{opt.help}{env}; =force stores failing gates too, =true is "
                                 "the flag, =false turns an env/ini setting off")
            group.addoption(*(f"{opt.flag}={v}" for v in _SPELLED_HIDDEN), action=_SpelledFlag,
                            default=None, dest=f"modelgate_{opt.dest}", help=argparse.SUPPRESS)
        elif opt.is_flag:
            group.addoption(opt.flag, action="store_true", default=None,
                            dest=f"modelgate_{opt.dest}", help=f"{opt.help}{env}")
        elif opt.repeatable:
            group.addoption(opt.flag, action="append", default=None, metavar=opt.metavar,
                            dest=f"modelgate_{opt.dest}", help=f"{opt.help}{env}")
        else:
            group.addoption(opt.flag, action="store", default=None, metavar=opt.metavar,
                            dest=f"modelgate_{opt.dest}", help=f"{opt.help}{env}")
        parser.addini(opt.ini, f"[modelgate] {opt.help}", default=None)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def _read_settings(config: pytest.Config) -> tuple[Any, dict[str, Any]]:
    from .policy import OPTIONS, read_pyproject_table, resolve_settings

    table, _ = read_pyproject_table(config.rootpath)

    def ini(key: str) -> Any:
        return config.getini(key)

    cli = {opt.dest: config.getoption(f"modelgate_{opt.dest}") for opt in OPTIONS}
    return resolve_settings(cli, ini, table), table


def pytest_configure(config: pytest.Config) -> None:
    from .policy import MARKERS, MODELGATE_MARKER

    for spec in MARKERS.values():
        config.addinivalue_line("markers", f"{spec.signature}: {spec.doc}. Implies modelgate.")
    config.addinivalue_line("markers", f"{MODELGATE_MARKER.signature}: {MODELGATE_MARKER.doc}")
    try:
        settings, table = _read_settings(config)
    except ModelGateError as exc:
        raise pytest.UsageError(str(exc)) from None
    state = SessionState(settings=settings)
    config.stash[STATE_KEY] = state
    if not settings.active:
        return
    _locate_baseline(config, state)
    from .policy import load_policy, load_policy_file

    try:
        state.policy = (load_policy_file(settings.policy) if settings.policy
                        else load_policy(table, "pyproject.toml [tool.modelgate]"))
        _check_writable(settings)
    except ModelGateError as exc:
        raise pytest.UsageError(str(exc)) from None
    from datetime import datetime, timezone

    state.started = (config.workerinput.get("modelgate_started", "") if _is_worker(config)  # type: ignore[attr-defined]
                     else datetime.now(timezone.utc).isoformat(timespec="seconds"))
    if not _is_worker(config):
        config.pluginmanager.register(ResultCollector(config, state), "modelgate-collector")
        if config.pluginmanager.hasplugin("xdist"):
            from ._xdist import XdistHooks

            config.pluginmanager.register(XdistHooks(state), "modelgate-xdist")
        _register_sinks(config, state)
    _register_extensions(config, state)


# -- baseline location and node ids ------------------------------------------------------------


def _project_root(config: pytest.Config) -> Path:
    """The directory baseline paths and stored node ids are relative to: pytest's rootdir.

    Without a config file pytest takes the common ancestor of the working directory and every
    existing path on the command line, our options' values included (`--modelgate-model
    /elsewhere/m.skops` moves it); then the rootdir is recomputed from the test paths alone.
    """
    root = config.rootpath
    if config.inipath is not None or config.getoption("rootdir", None):
        return root
    here = config.invocation_params.dir
    dirs = []
    for arg in config.args:
        path = Path(here, arg.split("::")[0])
        if path.exists():
            dirs.append(path if path.is_dir() else path.parent)
    ancestor = Path(os.path.commonpath([os.path.abspath(d) for d in dirs])) if dirs else here
    for candidate in (ancestor, *ancestor.parents):
        if (candidate / "setup.py").is_file():
            return candidate
    common = Path(os.path.commonpath([os.path.abspath(here), str(ancestor)]))
    return ancestor if common == Path(common.anchor) else common


def _locate_baseline(config: pytest.Config, state: SessionState) -> None:
    """Resolve the baseline path: a relative one from the command line against the working
    directory (as a shell user means it), otherwise against the project root."""
    settings = state.settings
    state.baseline_root = _project_root(config)
    base = (config.invocation_params.dir if settings.sources.get("baseline", "").startswith(
        "command line") else state.baseline_root)
    state.baseline_path = base / settings.baseline


def _stored_nodeid(config: pytest.Config, nodeid: str) -> str:
    """A node id relative to the project root (pytest's own is relative to its rootdir)."""
    state = config.stash[STATE_KEY]
    root = state.baseline_root
    if root is None or root == config.rootpath:
        return nodeid
    file, sep, rest = nodeid.partition("::")
    try:
        rel = (config.rootpath / file).relative_to(root)
    except ValueError:
        return nodeid
    return rel.as_posix() + sep + rest


def _shown(path: Path, config: pytest.Config) -> str:
    try:
        return str(path.relative_to(config.invocation_params.dir))
    except ValueError:
        return str(path)


def _update_baseline(session: pytest.Session, state: SessionState, exitstatus: int) -> None:
    """Store the run's passing results in the baseline, unless the run was cut short or a gate
    blocks it; a waived failure (xfailed, skipped, not enforced) is never stored (`=force`
    stores all but errors)."""
    settings = state.settings
    if not settings.update_baseline or state.baseline_path is None:
        return
    config = session.config
    shown = _shown(state.baseline_path, config)
    if settings.warn_only:
        state.errors.append(f"modelgate: baseline {shown} not updated: shadow mode "
                            "(--modelgate-warn-only) never stores results")
        return
    if not state.results and exitstatus == pytest.ExitCode.OK:
        return  # nothing ran (e.g. --collect-only): nothing to store
    stopped = session.shouldstop or session.shouldfail
    why = None
    if exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR) or stopped:
        cut = stopped if isinstance(stopped, str) else "the session was interrupted"
        why = (f"modelgate: baseline {shown} not updated: {cut}; nothing was written (rerun "
               "the suite with --modelgate-update-baseline)")
    elif settings.update_baseline != "force":
        from .results import is_blocking

        run = _run_record(state)
        failing = [r for r in state.results if is_blocking(r, run)]
        if failing:
            listed = ", ".join(f"{r.nodeid} {r.kind} {r.name!r} ({r.verdict})"
                               for r in failing[:10])
            more = f" and {len(failing) - 10} more" if len(failing) > 10 else ""
            why = (f"modelgate: baseline {shown} not updated: {len(failing)} gate"
                   f"{'s' if len(failing) != 1 else ''} did not pass: {listed}{more}")
        elif session.testsfailed:
            why = (f"modelgate: baseline {shown} not updated: {session.testsfailed} test"
                   f"{'s' if session.testsfailed != 1 else ''} failed")
        if why:
            why += ("\nmodelgate: to accept these results as the new baseline anyway, run with "
                    "--modelgate-update-baseline=force")
    if why is None:
        from .results import waiver

        run = _run_record(state)
        forced = settings.update_baseline == "force"
        stored: list[Any] = []
        left: list[Any] = []
        for r in state.results:
            if r.verdict != "error":
                accept = forced or r.passed or waiver(r, run) == "inconclusive allowed"
                (stored if accept else left).append(r)
        try:
            path = state.baseline_store().update(
                stored, keep=left, nodeid=lambda n: _stored_nodeid(config, n))
        except (OSError, ValueError, ModelGateError) as exc:
            why = f"modelgate: could not update the baseline {shown}: {exc}"
        else:
            state.written.append(_shown(path, config))
            if left:  # waived failures (xfailed, skipped, not enforced): not values to accept
                listed = ", ".join(f"{r.nodeid} {r.kind} {r.name!r} ({r.verdict}, "
                                   f"{waiver(r, run)})" for r in left[:10])
                more = f" and {len(left) - 10} more" if len(left) > 10 else ""
                config.stash.setdefault(NOTES_KEY, []).append(
                    f"modelgate: baseline {shown}: {len(left)} gate"
                    f"{'s' if len(left) != 1 else ''} not stored (did not pass; any earlier entry "
                    f"is kept): {listed}{more}")
            return
    state.errors.append(why)
    if session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _check_writable(settings: Any) -> None:
    """Fail at start-up, not after an hour of gates, when a report cannot be written."""
    from .exceptions import ConfigError

    for dest in ("report", "markdown", "html", "prometheus"):
        value = getattr(settings, dest)
        if value is None:
            continue
        parent = Path(value).resolve().parent
        probe = parent
        while not probe.exists():
            probe = probe.parent
        if Path(value).is_dir() or not os.access(probe, os.W_OK):
            raise ConfigError(
                f"--modelgate-{dest}: cannot write {value!r} (from {settings.sources[dest]}); "
                "choose a writable file path"
            )


def _register_sinks(config: pytest.Config, state: SessionState) -> None:
    """The built-in result sinks the settings ask for, as plugins of the result hook."""
    settings = state.settings
    sinks: list[Any] = []
    if settings.prometheus:
        from .report.sinks import PrometheusTextfile

        sinks.append(PrometheusTextfile(settings.prometheus))
    if settings.mlflow:
        import importlib.util

        if importlib.util.find_spec("mlflow") is None:
            raise pytest.UsageError(
                f"--modelgate-mlflow (from {settings.sources['mlflow']}) needs MLflow: "
                "pip install 'pytest-modelgate[mlflow]'")
        from .report.sinks import MlflowSink

        sinks.append(MlflowSink())
    for sink in sinks:
        config.pluginmanager.register(sink, f"modelgate-sink-{type(sink).__name__}")
    config.stash[SINKS_KEY] = sinks


def _close_sinks(session: pytest.Session, state: SessionState, run: Any) -> None:
    """Close the result sinks; a problem is one red line and a failed run, never a traceback."""
    report = state.settings.report if str(Path(state.settings.report)) in state.written \
        else None
    for sink in session.config.stash.get(SINKS_KEY, []):
        where = sink.close(run, report)
        if where:
            state.written.append(where)
        state.errors.extend(sink.errors)
        if sink.errors and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _register_extensions(config: pytest.Config, state: SessionState) -> None:
    """Collect users' metrics, drift tests and loaders through the hooks; undone at unconfigure."""
    hook = config.hook

    def register_metric(name: str, func: Any, **spec: Any) -> None:
        from . import metrics

        metrics.register_metric(name, func, **spec)
        state.registered.append(("metric", name))

    def register_drift_test(name: str, func: Any, **spec: Any) -> None:
        from . import drift

        drift.register_test(name, func, **spec)
        state.registered.append(("drift", name))

    if hook.pytest_modelgate_register_metrics.get_hookimpls():
        hook.pytest_modelgate_register_metrics(register=register_metric, config=config)
    if hook.pytest_modelgate_register_drift_tests.get_hookimpls():
        hook.pytest_modelgate_register_drift_tests(register=register_drift_test, config=config)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None:
        return
    for kind, name in reversed(state.registered):
        if kind == "metric":
            from . import metrics

            metrics.unregister_metric(name)
        else:
            from . import drift

            drift.unregister_test(name)
    state.registered.clear()


# -- collection -------------------------------------------------------------------------------------


def _gate_markers(item: pytest.Item) -> dict[str, tuple[tuple[Any, ...], dict[str, Any]]]:
    """Each gate marker's keywords, the closest marker winning key by key (function > class)."""
    from .policy import MARKERS

    found: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}
    for name in MARKERS:
        merged: dict[str, Any] = {}
        args: tuple[Any, ...] = ()
        seen = False
        for mark in item.iter_markers(name):
            seen = True
            args = args or tuple(mark.args)
            for key, value in mark.kwargs.items():
                merged.setdefault(key, value)
        if seen:
            found[name] = (args, merged)
    return found


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from .policy import marker_defaults

    state = config.stash[STATE_KEY]
    skip = pytest.mark.skip(reason="model gate: run with --modelgate")
    for item in items:
        gate_markers = _gate_markers(item)
        plain = item.get_closest_marker("modelgate")
        if plain is not None and (plain.args or plain.kwargs):  # @pytest.mark.modelgate(seeds=5)
            gate_markers["modelgate"] = (tuple(plain.args), dict(plain.kwargs))
        fixtures = set(getattr(item, "fixturenames", ()))
        is_gate = bool(gate_markers) or item.get_closest_marker("modelgate") is not None \
            or bool(fixtures & GATE_FIXTURES)
        if not is_gate:
            continue
        try:
            item.stash[DEFAULTS_KEY] = marker_defaults(gate_markers, item.nodeid)
        except ModelGateError as exc:
            item.stash[MARKER_ERROR_KEY] = exc  # an error of this test only: raised at its setup
        if item.get_closest_marker("modelgate") is None:
            item.add_marker(pytest.mark.modelgate)
        if not state.settings.active:
            item.add_marker(skip)


# -- fixtures -------------------------------------------------------------------------------------------


@pytest.fixture
def gate(request: pytest.FixtureRequest) -> Gate:
    """Records model gates for this test; failures are reported together when the test ends.

    Methods: metric, compare, weak_slices, drift, latency, memory, artifact, robustness,
    input_validation, membership, determinism, seed_variance. Marker keywords are their
    defaults; the policy table wins.
    """
    from .gates import Gate, GateContext

    item = request.node
    config = request.config
    state = config.stash[STATE_KEY]
    settings = state.settings
    nodeid = item.nodeid

    def lookup(kind: str, name: str) -> Any:
        try:
            return state.baseline_store().get(_stored_nodeid(config, nodeid), kind, name)
        except ModelGateError as exc:
            problem = str(exc)
        pytest.fail(problem, pytrace=False)  # outside the except: no chained traceback

    context = GateContext(
        nodeid=nodeid,
        seed=settings.seed,
        defaults=item.stash.get(DEFAULTS_KEY, {}),
        overrides=state.policy.overrides_for(nodeid),
        baseline=lookup,
        baseline_file=str(state.baseline_path) if state.baseline_path else None,
        strict_baseline=settings.strict_baseline and not settings.update_baseline,
        warn_only=settings.warn_only,
        inconclusive=settings.inconclusive,
        xdist_worker=_is_worker(config),
        extra={"latency_under_xdist": settings.latency_under_xdist},
        progress_writer=_progress_writer(config),
    )

    def sink(result: Any) -> None:
        item.user_properties.append(
            (RESULT_PROPERTY, json.dumps(result.to_dict(), sort_keys=True, default=str))
        )

    recorder = Gate(context, sink)
    item.stash[GATE_KEY] = recorder
    return recorder


def _progress_writer(config: pytest.Config) -> Any:
    """Where long gates report progress: pytest's terminal, outside output capture; None under
    -q, without a terminal reporter, and on xdist workers (they have no live terminal: the
    controller sees a worker's output only in its reports, after the test)."""
    if _is_worker(config) or config.getoption("verbose") < 0 or \
            config.pluginmanager.get_plugin("terminalreporter") is None:
        return None
    from ._terminal_progress import TerminalProgress

    return TerminalProgress(config)


@pytest.fixture
def modelgate_seeds(request: pytest.FixtureRequest) -> tuple[int, ...]:
    """The seeds of this test's seed-variance gate: @pytest.mark.modelgate(seeds=N) (or the
    policy) consecutive integers from --modelgate-seed, for fixtures that train once per seed."""
    from .gates import GateContext
    from .gates.seed_variance import SEED_VARIANCE_KEYWORDS
    from .metrics.seeds import seed_list

    state = request.config.stash[STATE_KEY]
    context = GateContext(nodeid=request.node.nodeid, seed=state.settings.seed,
                          defaults=request.node.stash.get(DEFAULTS_KEY, {}),
                          overrides=state.policy.overrides_for(request.node.nodeid))
    try:
        kw = context.resolve("seed_variance", None, {}, SEED_VARIANCE_KEYWORDS)
        return seed_list(kw.get("seeds", 5), state.settings.seed)
    except ModelGateError as exc:
        problem = str(exc)
    pytest.fail(problem, pytrace=False)


def _load(config: pytest.Config, path: str, version: str | None, role: str) -> LoadedModel:
    from .exceptions import ArtifactError
    from .loaders import load_model

    state = config.stash[STATE_KEY]
    trusted = config.stash.setdefault(TRUSTED_KEY, {})
    trusted.pop(str(Path(path)), None)

    def via_hook(p: Path) -> Any:
        return config.hook.pytest_modelgate_load_model(path=str(p), config=config)

    try:
        loaded = load_model(path, version=version, loader=via_hook)
    except (ArtifactError, ModelGateError) as exc:
        problem = f"{role}: {exc}"
    else:
        allowed = trusted.get(str(Path(path)))
        if allowed:
            from dataclasses import replace

            loaded = replace(loaded, extra={**loaded.extra, "allowed_globals": list(allowed)})
        state.models[role] = loaded.metadata()
        return loaded
    pytest.fail(problem, pytrace=False)  # outside the except: no chained traceback


@pytest.fixture(scope="session")
def modelgate_model(request: pytest.FixtureRequest) -> LoadedModel:
    """The model under test (--modelgate-model / MODELGATE_MODEL), loaded safely, with metadata."""
    settings = request.config.stash[STATE_KEY].settings
    if not settings.model:
        pytest.fail("modelgate_model: no model given; pass --modelgate-model PATH or set "
                    "MODELGATE_MODEL (or ini modelgate_model)", pytrace=False)
    return _load(request.config, settings.model, settings.model_version, "model")


@pytest.fixture(scope="session")
def modelgate_baseline_model(request: pytest.FixtureRequest) -> LoadedModel:
    """The champion (--modelgate-baseline-model / MODELGATE_BASELINE_MODEL); skips when unset."""
    settings = request.config.stash[STATE_KEY].settings
    if not settings.baseline_model:
        pytest.skip("no baseline model: pass --modelgate-baseline-model PATH or set "
                    "MODELGATE_BASELINE_MODEL")
    return _load(request.config, settings.baseline_model, None, "baseline_model")


@pytest.hookimpl(trylast=True)
def pytest_modelgate_load_model(path: str, config: pytest.Config) -> Any:
    """Built-in loaders by file extension; users' implementations run first. The skops, pickle
    and joblib loaders also trust the globals of --modelgate-model-allow."""
    from .exceptions import ArtifactError
    from .loaders import get_loader, trusting_loader

    p = Path(path)
    trusting = trusting_loader(p)
    if trusting is None:
        return get_loader(p)(p)
    settings = config.stash[STATE_KEY].settings
    allow = settings.model_allow
    try:
        model = trusting(p, allow=allow or None)
    except ArtifactError as exc:
        # a hint only for globals the user may trust: never for a critical finding, nor for
        # other errors (wrong format)
        if not getattr(exc, "allowable", ()):
            raise
        now = (f" Trusted now: {', '.join(allow)} (from {settings.sources['model_allow']})."
               if allow else "")
        problem = (f"{exc}\nFor the model fixtures, trust a global you control with "
                   "--modelgate-model-allow module.Name (env MODELGATE_MODEL_ALLOW, ini "
                   "modelgate_model_allow, or model_allow = [\"module.Name\"] in "
                   f"[tool.modelgate]).{now}")
    else:
        if allow:
            config.stash.setdefault(TRUSTED_KEY, {})[path] = allow
        return model
    raise ArtifactError(problem)  # outside the except: no chained traceback


# -- running: fail the test once, with every gate failure ------------------------------------------------


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A bad gate-marker argument errors its own test (after pytest's skip/xfail marks are
    honoured), so one typo does not hide every other gate of the run."""
    error = item.stash.get(MARKER_ERROR_KEY, None)
    if error is not None:
        raise error


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    __tracebackhide__ = True
    outcome = yield
    recorder = item.stash.get(GATE_KEY, None)
    if recorder is not None:
        recorder.check()
    return outcome


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if call.excinfo is None:
        if call.when == "call":
            _xfail_suppressed_failures(item, report)
        return report
    from .gates import GateFailure

    if call.when == "call" and call.excinfo.errisinstance(GateFailure):
        report.longrepr = str(call.excinfo.value)
        return report
    _record_error(item, call, report)  # before the concise repr cuts the gate frames it reads
    bad_marker = call.when == "setup" and call.excinfo.value is item.stash.get(MARKER_ERROR_KEY,
                                                                                 None)
    if ((call.when == "call" or bad_marker) and call.excinfo.errisinstance(ModelGateError)
            and not _wants_full_trace(item.config)):
        report.longrepr = _concise_repr(item, call.excinfo)
    return report


_XPASS_STRICT = "[XPASS(strict)] "


def _xfail_suppressed_failures(item: pytest.Item, report: pytest.TestReport) -> None:
    """In warn-only mode, an xfail test whose gates failed (the failure suppressed) is xfailed,
    as without the flag, not an XPASS: shadow mode must not turn a strict xfail into a failure.

    pytest's xfail handling (an inner wrapper) has already made the report an XPASS: strict
    ("failed" with "[XPASS(strict)] reason") or not ("passed" with `wasxfail`).
    """
    recorder = item.stash.get(GATE_KEY, None)
    if recorder is None or not recorder.context.warn_only:
        return
    strict = report.failed and isinstance(report.longrepr, str) \
        and report.longrepr.startswith(_XPASS_STRICT)
    if not (strict or (report.passed and hasattr(report, "wasxfail"))):
        return
    tolerated = {"passed", "inconclusive"} if recorder.context.inconclusive == "pass" \
        else {"passed"}
    suppressed = [r for r in recorder.results if r.verdict not in tolerated]
    if not suppressed:
        return
    from .gates import GateFailure

    reason = str(report.longrepr)[len(_XPASS_STRICT):] if strict else str(report.wasxfail)
    report.outcome = "skipped"
    report.wasxfail = reason
    report.longrepr = str(GateFailure(suppressed))


def _record_error(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """A gate test that raised: an `error` result, so that no report shows it green."""
    assert call.excinfo is not None
    state = item.config.stash.get(STATE_KEY, None)
    if (state is None or not state.settings.active or item.get_closest_marker("modelgate") is None
            or call.excinfo.errisinstance((pytest.skip.Exception, pytest.xfail.Exception))):
        return
    prop = (RESULT_PROPERTY, json.dumps(_error_result(item, call).to_dict(), sort_keys=True,
                                        default=str))
    item.user_properties.append(prop)  # the teardown report (JUnit XML reads that one) has it
    report.user_properties.append(prop)


_GATE_METHODS = frozenset({"metric", "compare", "weak_slices", "drift", "latency", "memory",
                           "artifact", "robustness", "input_validation", "membership",
                           "integrity", "determinism", "seed_variance",
                           "calibration", "fairness"})


def _error_result(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """The `error` result of a gate test that raised: kind and name of the gate call that raised
    when the exception came out of one, else kind "test" and the test's name."""
    from .results import GateResult

    assert call.excinfo is not None
    exc = call.excinfo.value
    try:
        raw = str(exc)
    except Exception:  # a broken __str__ must not turn a test error into an INTERNALERROR
        raw = ""
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if len(text) > 500:
        text = text[:499] + "…"
    if not isinstance(exc, pytest.fail.Exception):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if call.when != "call":
        text = f"in {call.when}: {text}"
    kind, name = _raising_gate_call(call.excinfo) or ("test", item.name)
    return GateResult(nodeid=item.nodeid, kind=kind, name=name, value=None, verdict="error",
                      message=text, details={"phase": call.when,
                                             "exception": type(exc).__name__})


def _raising_gate_call(excinfo: pytest.ExceptionInfo[BaseException]) -> tuple[str, str] | None:
    """(kind, name) of the outermost `gate.<kind>(...)` frame in the traceback, if any."""
    from .gates._recorder import DEFAULT_NAMES, Gate

    for entry in excinfo.traceback:
        kind = entry.frame.code.name
        local = entry.frame.f_locals
        if kind not in _GATE_METHODS or not isinstance(local.get("self"), Gate):
            continue
        options = {**(local.get("options") or {}), **(local.get("gate_options") or {})}
        name = (local.get("name") or local.get("metric") if kind in ("metric", "compare")
                else options.get("name"))
        if not isinstance(name, str) and kind in ("weak_slices", "seed_variance"):
            name = local.get("metric")
        if not isinstance(name, str) and kind in ("latency", "memory", "artifact"):
            target = local.get("fn", local.get("path"))
            name = getattr(target, "__name__", None) or (
                Path(os.fspath(target)).name if isinstance(target, (str, os.PathLike)) else None)
        return kind, name if isinstance(name, str) and name else DEFAULT_NAMES.get(kind, kind)
    return None


_PHASES = ("setup", "call", "teardown")


def _outcome(report: pytest.TestReport) -> str:
    """The pytest outcome of a test as this phase's report tells it (xfail-aware)."""
    xfail = hasattr(report, "wasxfail")
    if report.when != "call" and report.failed:
        return "error"
    if report.skipped:
        return "xfailed" if xfail else "skipped"
    if report.failed:
        return "failed"
    return "xpassed" if xfail else "passed"


def _wants_full_trace(config: pytest.Config) -> bool:
    return bool(config.getoption("fulltrace", False)) or \
        config.getoption("tbstyle", "auto") in ("long", "native")


def _concise_repr(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
    """A bad-input error of a gate as the user's own calling line plus the one-line message.

    The frames of pytest, pluggy and pytest_modelgate (recorder, judge, engine) say nothing the
    message does not, so they are cut; `--tb=long` / `--full-trace` keep them.
    """
    import pluggy

    site = Path(pytest.__file__).resolve().parent.parent
    skip = tuple(f"{d}{os.sep}" for d in (site / "_pytest", Path(pluggy.__file__).resolve().parent,
                                          Path(__file__).resolve().parent))
    tb = excinfo.traceback.cut(path=item.path) if isinstance(item, pytest.Function) \
        else excinfo.traceback
    own = tb.filter(lambda entry: not str(entry.path).startswith(skip))
    if not len(own):
        return str(excinfo.value)
    excinfo.traceback = own
    return excinfo.getrepr(style="short", chain=False)


class ResultCollector:
    """Collects results from the reports of gate tests: in-process, and under xdist on the
    controller. A test's results wait for its outcome (the call report, or a failed or skipped
    setup), which is stamped on each of them."""

    def __init__(self, config: pytest.Config, state: SessionState) -> None:
        self.config = config
        self.state = state
        self.gate_tests_ran = False
        self.gate_tests: set[str] = set()  # node ids of the gate tests whose reports came in
        self._taken: dict[str, int] = {}  # node id -> results already read from its reports
        self._pending: dict[str, list[Any]] = {}
        self._outcome: dict[str, str] = {}
        self._finished: set[str] = set()  # node ids whose teardown report came in

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when not in _PHASES:  # xdist's report of a crashed worker: see _xdist
            return
        from .results import GateResult

        entries = [str(v) for k, v in report.user_properties if k == RESULT_PROPERTY]
        if "modelgate" not in report.keywords and not entries:
            return
        self.gate_tests_ran = True
        nodeid = report.nodeid
        self.gate_tests.add(nodeid)
        fresh = entries[self._taken.get(nodeid, 0):]  # later phases repeat the earlier entries
        self._taken[nodeid] = max(len(entries), self._taken.get(nodeid, 0))
        pending = self._pending.setdefault(nodeid, [])
        pending.extend(GateResult.from_dict(json.loads(v)) for v in fresh)
        if report.when == "setup" and report.passed:
            return  # the call decides the outcome
        if report.when == "teardown" and report.passed:
            outcome = self._outcome.get(nodeid, "passed")
        else:
            outcome = self._outcome[nodeid] = _outcome(report)
        self._emit(self._pending.pop(nodeid, []), outcome)
        if report.when == "teardown":
            self._finished.add(nodeid)
            self._taken.pop(nodeid, None)
            self._outcome.pop(nodeid, None)

    def add(self, results: list[Any]) -> None:
        """Results from elsewhere (a crashed xdist worker), already carrying their outcome."""
        if results:
            self.gate_tests_ran = True
        for result in results:
            if result.outcome is not None:
                self._outcome.setdefault(result.nodeid, result.outcome)
        self._emit(results, None)

    def recover(self, items: list[pytest.Item]) -> None:
        """Results a test recorded but no report carried (the test was interrupted): pending,
        with an unknown outcome."""
        from .results import GateResult

        for item in items:
            if item.nodeid in self._finished:
                continue
            entries = [str(v) for k, v in item.user_properties if k == RESULT_PROPERTY]
            fresh = entries[self._taken.get(item.nodeid, 0):]
            if fresh:
                self.gate_tests_ran = True
                self._taken[item.nodeid] = len(entries)
                self._pending.setdefault(item.nodeid, []).extend(
                    GateResult.from_dict(json.loads(v)) for v in fresh)

    def unfinished(self) -> list[str]:
        """Gate tests whose setup was reported but not their outcome (cut short under xdist,
        where the controller holds no items to recover from)."""
        return sorted(self.gate_tests - self._finished - set(self._outcome))

    def finish(self) -> None:
        """Emit what is still waiting (a test cut short): with its outcome when one is known."""
        for nodeid in list(self._pending):
            self._emit(self._pending.pop(nodeid), self._outcome.get(nodeid))

    def _emit(self, results: list[Any], outcome: str | None) -> None:
        from dataclasses import replace

        for result in results:
            if outcome is not None:
                result = replace(result, outcome=outcome)
            self.state.results.append(result)
            self.config.hook.pytest_modelgate_result(result=result, config=self.config)


# -- reports --------------------------------------------------------------------------------------------------


def _versions() -> dict[str, str | None]:
    import platform
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in ("pytest", "numpy", "scipy", "scikit-learn", "pandas", "pytest-modelgate"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _run_record(state: SessionState, interrupted: bool = False, no_gates: bool = False) -> Any:
    from .loaders import sha256_file
    from .results import RunRecord

    settings = state.settings
    models = dict(state.models)
    for role, path, version in (("model", settings.model, settings.model_version),
                                ("baseline_model", settings.baseline_model, None)):
        if path and role not in models:
            p = Path(path)
            models[role] = {"path": path, "version": version or p.stem,
                            "sha256": sha256_file(p) if p.is_file() else None}
    return RunRecord(seed=settings.seed, versions=_versions(), models=models,
                     started=state.started, warn_only=settings.warn_only,
                     inconclusive=settings.inconclusive, interrupted=interrupted,
                     no_gates=no_gates)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash.get(STATE_KEY, None)
    if state is None or not state.settings.active:
        return
    if _is_worker(config):  # the controller writes the report: send it what this worker loaded
        config.workeroutput["modelgate_models"] = json.loads(  # type: ignore[attr-defined]
            json.dumps(state.models, default=str))
        config.workeroutput["modelgate_gate_tests"] = [  # type: ignore[attr-defined]
            item.nodeid for item in getattr(session, "items", [])
            if item.get_closest_marker("modelgate")]
        return
    interrupted = config.stash[INTERRUPTED_KEY] = _interrupted(session, exitstatus)
    no_gates = not _collect_results(session, interrupted)
    if no_gates and not _writes_no_gate_report(session, exitstatus, interrupted):
        return  # --co, a usage error, Ctrl-C before any gate: keep the old reports
    config.stash[NO_GATES_KEY] = no_gates
    from .report import build_report, render_html_document, render_markdown, write_report

    settings = state.settings
    unmatched = ([] if config.option.collectonly
                 else state.policy.unmatched(state.results))
    if unmatched:  # one warning, listing every selector the run never used
        import warnings

        text = (f"modelgate: policy selector(s) in {state.policy.source} matched no gate in this "
                f"run: {', '.join(unmatched)}. Selectors use the kind and the name the report "
                "prints (e.g. metric:f1_macro, drift:dataset, artifact:model.skops)")
        try:
            warnings.warn(pytest.PytestConfigWarning(text), stacklevel=1)
        except Warning:  # -W error: still say it, without an INTERNALERROR
            state.errors.append(text)
    run = None
    try:
        run = _run_record(state, interrupted, no_gates)
        report = build_report(run, state.results)
        config.hook.pytest_modelgate_amend_report(report=report, config=config)
        state.written.append(str(write_report(settings.report, report)))
        markdown_path = settings.markdown or os.environ.get("GITHUB_STEP_SUMMARY") or None
        if markdown_path:
            text = render_markdown(run, state.results)
            if settings.markdown:
                from ._atomic import atomic_write_text

                atomic_write_text(markdown_path, text)
            else:  # the step summary is shared with other steps: append
                with open(markdown_path, "a", encoding="utf-8") as fh:
                    fh.write(text)
            state.written.append(markdown_path)
        if settings.html:
            from ._atomic import atomic_write_text

            state.written.append(str(atomic_write_text(settings.html, render_html_document(report))))
    except (OSError, ValueError, ModelGateError) as exc:
        state.errors.append(f"modelgate: could not write the gate report: {exc}")
        if session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if run is None:  # the run record itself failed: the sinks still get the run's verdict rules
        from .results import RunRecord

        run = RunRecord(seed=settings.seed, warn_only=settings.warn_only,
                        inconclusive=settings.inconclusive, interrupted=interrupted,
                        no_gates=no_gates)
    _close_sinks(session, state, run)
    if not no_gates:
        _update_baseline(session, state, exitstatus)


def _writes_no_gate_report(session: pytest.Session, exitstatus: int, interrupted: bool) -> bool:
    """Whether a run that ran no gate replaces the reports with an explicit "no gate ran" one: an
    explicit `--modelgate` run that selected none (`-k`, `-m`, unit tests only), so CI never
    uploads the previous run's verdict as this one's. `--co`, usage errors and runs cut short
    before any gate write nothing."""
    config = session.config
    state = config.stash[STATE_KEY]
    return (state.settings.enabled and not config.option.collectonly and not interrupted
            and exitstatus not in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR))


def _interrupted(session: pytest.Session, exitstatus: int) -> bool:
    """Whether the session stopped before every selected test ran (Ctrl-C, SIGINT from a CI
    cancel, -x / --maxfail, a plugin's stop): its report is then no verdict."""
    return (exitstatus == pytest.ExitCode.INTERRUPTED or bool(session.shouldstop)
            or bool(session.shouldfail))


def _collect_results(session: pytest.Session, interrupted: bool) -> bool:
    """Finish collecting (tests cut short, crashed xdist workers); whether any gate test ran."""
    config = session.config
    collector = config.pluginmanager.get_plugin("modelgate-collector")
    if collector is None:
        return False
    xdist = config.pluginmanager.get_plugin("modelgate-xdist")
    if xdist is not None:
        collector.add(xdist.crash_results(collector.gate_tests))
    if interrupted:  # the test running at Ctrl-C sent no report: read what it recorded
        # an xdist controller never collects: pytest < 8 then has no `items` attribute at all
        items = getattr(session, "items", [])
        collector.recover(items)
        here = {item.nodeid for item in items}  # empty on an xdist controller
        lost = [n for n in collector.unfinished() if n not in here]
        if xdist is not None and lost:  # ... which, on a worker, never reaches the controller
            collector.add(xdist.interrupted_results(lost))
    collector.finish()
    return bool(collector.gate_tests_ran)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None or not state.settings.active or _is_worker(config):
        return
    from .report import render_terminal
    from .results import RunRecord

    tr = terminalreporter
    collector = config.pluginmanager.get_plugin("modelgate-collector")
    if collector is None or not collector.gate_tests_ran:
        if config.stash.get(NO_GATES_KEY, False):
            tr.write_line("modelgate: no gate test ran (none selected): the reports say so",
                          yellow=True)
            for path in state.written:
                tr.write_line(f"modelgate: wrote {path}")
            for err in state.errors:
                tr.write_line(err, red=True)
        else:
            tr.write_line("modelgate: no gate test ran: reports not written (earlier ones are "
                          "left as they were)")
        return
    tr.write_sep("=", "model gates")
    width = int(config.get_terminal_writer().fullwidth)
    run = RunRecord(seed=state.settings.seed, warn_only=state.settings.warn_only,
                    inconclusive=state.settings.inconclusive,
                    interrupted=config.stash.get(INTERRUPTED_KEY, False))
    for line in render_terminal(state.results, run, width=width):
        tr.write_line(line)
    if getattr(config.option, "numprocesses", None) and any(
            r.kind == "latency" for r in state.results):
        policy = state.settings.latency_under_xdist
        tr.write_line(
            "modelgate: latency gates ran under pytest-xdist and shared the CPU with other "
            f"workers; they were {'enforced' if policy == 'enforce' else 'reported, not enforced'}"
            " (--modelgate-latency-under-xdist)", yellow=True)
    if state.settings.warn_only and any(not r.passed for r in state.results):
        tr.write_line("warn-only mode: gate failures above did not fail any test")
    for path in state.written:
        tr.write_line(f"modelgate: wrote {path}")
    for note in config.stash.get(NOTES_KEY, []):
        tr.write_line(note, yellow=True)
    for err in state.errors:
        tr.write_line(err, red=True)
