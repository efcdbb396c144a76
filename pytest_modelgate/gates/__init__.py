"""The judge layer: measurement + thresholds (+ stored baseline) -> `GateResult`.

`Gate` is what the `gate` fixture returns; each kind's judge lives in its own module
(`metric`, `drift`, `latency`, `security`) and is imported only when first used.
"""

from ._recorder import Gate, GateContext, GateFailure, format_failures

__all__ = ["Gate", "GateContext", "GateFailure", "format_failures"]
