"""`--modelgate-model-allow` through real pytest runs: a dangerous entry is a usage error at
configure time (exit 4, one line naming the option and its source), and the model fixture
refuses an alias payload without running it or suggesting to trust it (issue #10, item 1)."""

from __future__ import annotations

import io
import pickletools
from pathlib import Path

import pytest

USE_MODEL = '''
def test_uses_model(modelgate_model):
    assert modelgate_model is not None
'''


def _su(s: str) -> bytes:
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


def runstring_pickle(marker: Path) -> bytes:
    """``numpy.testing._private.utils.runstring(source, {})``: would create `marker` if run."""
    source = f"open({str(marker)!r}, 'w').close()"
    data = (b"\x80\x02cnumpy.testing._private.utils\nrunstring\n" + _su(source) + b"}"
            + b"\x86R.")
    pickletools.dis(data, out=io.StringIO())  # well-formed (disassembled, never run)
    return data


def check_output_pickle(marker: Path) -> bytes:
    """``sklearn.utils._testing.check_output(["touch", marker])``: would create `marker`."""
    data = (b"\x80\x02csklearn.utils._testing\ncheck_output\n]("
            + _su("touch") + _su(str(marker)) + b"e\x85R.")
    pickletools.dis(data, out=io.StringIO())
    return data


@pytest.mark.parametrize("entry", ["numpy.*", "sklearn.*", "*", "numpy.testing.*",
                                   "sklearn.utils._testing.check_output"])
def test_dangerous_allow_option_is_a_usage_error(pytester: pytest.Pytester, entry: str) -> None:
    pytester.makepyfile(USE_MODEL)
    result = pytester.runpytest("--modelgate", f"--modelgate-model-allow={entry}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert f"--modelgate-model-allow: {entry}" in err or \
        f"--modelgate-model-allow: {entry!r}" in err, err
    assert "can never be allowed" in err
    assert "(from command line --modelgate-model-allow)" in err
    assert "INTERNALERROR" not in result.stdout.str() + err
    assert "Traceback" not in result.stdout.str() + err


def test_dangerous_allow_from_env_and_pyproject_names_the_source(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(USE_MODEL)
    monkeypatch.setenv("MODELGATE_MODEL_ALLOW", "mypkg.Scaler, numpy.*")
    result = pytester.runpytest_subprocess("--modelgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "(from env MODELGATE_MODEL_ALLOW)" in result.stderr.str()
    monkeypatch.delenv("MODELGATE_MODEL_ALLOW")
    pytester.makepyprojecttoml('[tool.modelgate]\nmodel_allow = ["os.*"]\n')
    result = pytester.runpytest("--modelgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "(from pyproject.toml [tool.modelgate] model_allow)" in result.stderr.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize("build", [runstring_pickle, check_output_pickle])
def test_model_fixture_refuses_alias_payload_without_running_it(
        pytester: pytest.Pytester, build) -> None:
    marker = pytester.path / "pwned"
    model = pytester.path / "evil.pkl"
    model.write_bytes(build(marker))
    pytester.makepyfile(USE_MODEL)
    # a safe wildcard for something else does not widen the trust to the alias
    result = pytester.runpytest_subprocess("--modelgate", f"--modelgate-model={model}",
                                           "--modelgate-model-allow=mypkg.*")
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert "refusing to load" in out
    assert "[critical]" in out
    assert "no setting can trust" in out
    assert "trust a global you control" not in out
    assert "allow=[" not in out
    assert not marker.exists()
