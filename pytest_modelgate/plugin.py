"""pytest wiring only: options, markers, fixtures, collection, result transport and the summary.

Loaded by pytest on every run wherever the package is installed, so it imports nothing heavy:
engines, reports and loaders are imported inside hook and fixture bodies, and only when
`--modelgate` (or `modelgate_run_by_default`) is active.
"""

from __future__ import annotations

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
GATE_FIXTURES = frozenset({"gate", "modelgate_model", "modelgate_baseline_model"})


STATE_KEY = pytest.StashKey[SessionState]()
DEFAULTS_KEY = pytest.StashKey[dict[str, dict[str, Any]]]()
GATE_KEY = pytest.StashKey["Gate"]()
TRUSTED_KEY = pytest.StashKey[dict[str, tuple[str, ...]]]()  # path -> globals the loader trusted


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


# -- options, hooks, markers ----------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    from .policy import OPTIONS

    group = parser.getgroup("modelgate", "model gates (pytest-modelgate)")
    for opt in OPTIONS:
        env = f" [env {opt.env}]" if opt.env else ""
        if opt.is_flag:
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
    from .policy import MARKERS

    for spec in MARKERS.values():
        config.addinivalue_line("markers", f"{spec.signature}: {spec.doc}. Implies modelgate.")
    config.addinivalue_line(
        "markers",
        "modelgate: a model gate test; skipped unless pytest runs with --modelgate "
        "(or ini modelgate_run_by_default = true)",
    )
    try:
        settings, table = _read_settings(config)
    except ModelGateError as exc:
        raise pytest.UsageError(str(exc)) from None
    state = SessionState(settings=settings)
    config.stash[STATE_KEY] = state
    if not settings.active:
        return
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
    _register_extensions(config, state)


def _check_writable(settings: Any) -> None:
    """Fail at start-up, not after an hour of gates, when a report cannot be written."""
    from .exceptions import ConfigError

    for dest in ("report", "markdown", "html"):
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
        fixtures = set(getattr(item, "fixturenames", ()))
        is_gate = bool(gate_markers) or item.get_closest_marker("modelgate") is not None \
            or bool(fixtures & GATE_FIXTURES)
        if not is_gate:
            continue
        try:
            item.stash[DEFAULTS_KEY] = marker_defaults(gate_markers, item.nodeid)
        except ModelGateError as exc:
            raise pytest.UsageError(str(exc)) from None
        if item.get_closest_marker("modelgate") is None:
            item.add_marker(pytest.mark.modelgate)
        if not state.settings.active:
            item.add_marker(skip)


# -- fixtures -------------------------------------------------------------------------------------------


@pytest.fixture
def gate(request: pytest.FixtureRequest) -> Gate:
    """Records model gates for this test; failures are reported together when the test ends.

    Methods: metric, compare, weak_slices, drift, latency, memory, artifact, robustness,
    input_validation, membership. Marker keywords are their defaults; the policy table wins.
    """
    from .gates import Gate, GateContext

    item = request.node
    config = request.config
    state = config.stash[STATE_KEY]
    settings = state.settings
    nodeid = item.nodeid

    def lookup(name: str) -> Any:
        try:
            return state.baseline_store().get(nodeid, name)
        except ModelGateError as exc:
            raise pytest.UsageError(str(exc)) from None

    context = GateContext(
        nodeid=nodeid,
        seed=settings.seed,
        defaults=item.stash.get(DEFAULTS_KEY, {}),
        overrides=state.policy.overrides_for(nodeid),
        baseline=lookup,
        warn_only=settings.warn_only,
        inconclusive=settings.inconclusive,
        xdist_worker=_is_worker(config),
        extra={"latency_under_xdist": settings.latency_under_xdist},
    )

    def sink(result: Any) -> None:
        item.user_properties.append(
            (RESULT_PROPERTY, json.dumps(result.to_dict(), sort_keys=True, default=str))
        )

    recorder = Gate(context, sink)
    item.stash[GATE_KEY] = recorder
    return recorder


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
        # refusals of globals name the allow-list; other errors (wrong format) need no hint
        if "allow" not in str(exc):
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
    if call.when == "call" and call.excinfo is not None:
        from .gates import GateFailure

        if call.excinfo.errisinstance(GateFailure):
            report.longrepr = str(call.excinfo.value)
        elif call.excinfo.errisinstance(ModelGateError) and not _wants_full_trace(item.config):
            report.longrepr = _concise_repr(item, call.excinfo)
    return report


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
    """Collects results from call-phase reports: in-process, and under xdist on the controller."""

    def __init__(self, config: pytest.Config, state: SessionState) -> None:
        self.config = config
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        from .results import GateResult

        for name, value in report.user_properties:
            if name != RESULT_PROPERTY:
                continue
            result = GateResult.from_dict(json.loads(str(value)))
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


def _run_record(state: SessionState) -> Any:
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
                     started=state.started, warn_only=settings.warn_only)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash.get(STATE_KEY, None)
    if state is None or not state.settings.active:
        return
    if _is_worker(config):  # the controller writes the report: send it what this worker loaded
        config.workeroutput["modelgate_models"] = json.loads(  # type: ignore[attr-defined]
            json.dumps(state.models, default=str))
        return
    from .report import build_report, render_html, render_markdown, write_report

    settings = state.settings
    try:
        run = _run_record(state)
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

            state.written.append(str(atomic_write_text(settings.html, render_html(run, state.results))))
        if settings.update_baseline and not settings.warn_only:
            state.written.append(str(state.baseline_store().update(state.results)))
    except (OSError, ValueError, ModelGateError) as exc:
        state.errors.append(f"modelgate: could not write the gate report: {exc}")
        if session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None or not state.settings.active or _is_worker(config):
        return
    from .report import render_terminal

    tr = terminalreporter
    tr.write_sep("=", "model gates")
    width = int(config.get_terminal_writer().fullwidth)
    for line in render_terminal(state.results, width=width):
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
    for err in state.errors:
        tr.write_line(err, red=True)
