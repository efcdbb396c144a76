"""Regenerate the committed ``fixtures/torch_*.data.pkl`` files: the ``data.pkl`` member of real
`torch.save` archives (the pickle part only; tensor bytes live in other members).

Needs torch (CPU is enough), which the test suite itself does not:
``python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch==2.13.0 numpy`` then
``/tmp/torchvenv/bin/python tests/security/make_torch_fixtures.py``. The fixtures are small
(< 4 KiB each) and are only ever scanned by the tests, never unpickled.
"""

from __future__ import annotations

import io
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "fixtures"


def _objects() -> dict[str, Any]:
    import torch
    from torch import nn

    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2), nn.ReLU(), nn.Linear(2, 1))
    params = {"weight": nn.Parameter(torch.ones(2, 2)),
              "frozen": nn.Parameter(torch.zeros(2), requires_grad=False)}
    dtypes = OrderedDict(
        (str(dt).removeprefix("torch."), torch.zeros(2, dtype=dt))
        for dt in (torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int8,
                   torch.uint8, torch.int16, torch.int32, torch.int64, torch.bool,
                   torch.complex64, torch.complex128)
    )
    meta = {"size": torch.Size([2, 3]), "device": torch.device("cpu"), "dtype": torch.float32,
            "layout": torch.strided, "view": torch.arange(6.0).view(2, 3)[:, 1:]}
    tagged = torch.ones(2)
    tagged.note = "calibrated"  # a tensor with attributes: torch._tensor._rebuild_from_type_v2
    return {"state_dict": net.state_dict(), "parameters": params, "dtypes": dtypes,
            "meta": meta, "attributes": {"tagged": tagged}}


def data_pkl(obj: Any) -> bytes:
    """The pickle that `torch.save` writes as ``<archive>/data.pkl``."""
    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith("/data.pkl")]
        return zf.read(name)


def main() -> None:
    import torch

    HERE.mkdir(exist_ok=True)
    for name, obj in _objects().items():
        (HERE / f"torch_{name}.data.pkl").write_bytes(data_pkl(obj))
    print(f"wrote {len(_objects())} fixtures with torch {torch.__version__}")


if __name__ == "__main__":
    main()
