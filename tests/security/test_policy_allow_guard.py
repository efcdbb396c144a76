"""User allow entries can widen the allow-list but never reach a known code-execution global."""

from __future__ import annotations

import pytest

from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.security.policy import default_policy, parse_allow


@pytest.mark.parametrize("entry", ["os.system", "builtins:eval", "subprocess.Popen", "os.*",
                                   "subprocess.*"])
def test_dangerous_entries_are_refused_with_the_reason(entry: str) -> None:
    with pytest.raises(ConfigError, match=r"allow: .*can never be allowed"):
        parse_allow([entry])
    with pytest.raises(ConfigError, match="can never be allowed"):
        default_policy().extended([entry])


def test_ordinary_user_globals_are_still_accepted() -> None:
    pairs, modules = parse_allow(["mypkg.features.Scaler", "mypkg.models.*"])
    assert ("mypkg.features", "Scaler") in pairs
    assert "mypkg.models" in modules
    assert default_policy().extended(["mypkg.features.Scaler"]).judge(
        "mypkg.features", "Scaler").severity is None
