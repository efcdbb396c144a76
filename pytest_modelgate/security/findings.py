"""The scanner's result model: frozen `Finding`s and one `ScanResult` per scanned path.

Stdlib only; every field is a plain Python value so results travel through JSON and xdist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["SEVERITIES", "Finding", "ScanResult", "Severity"]

Severity = Literal["critical", "high", "medium"]
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium")
#: formats that hold data only (no pickle, no code): a safe file of these is "data"
DATA_FORMATS: frozenset[str] = frozenset({"safetensors", "json", "text"})


@dataclass(frozen=True)
class Finding:
    """One reason an artifact is unsafe: where it is, what it is, and why it matters.

    `member` is the path inside containers, outermost first and joined with ``!``
    (``"model.zip!archive/data.pkl"``, ``"<gzip>"``), empty for the top-level stream; `offset`
    is the byte offset inside that member's (decompressed) bytes. `opcode` is the pickle opcode
    name or a container element ("zip-entry", "npy-header", "skops-node"); `global_` is the
    ``module.name`` it would import or call, when there is one.
    """

    file: str
    member: str
    offset: int
    opcode: str
    global_: str | None
    severity: Severity
    why: str
    technique: str = ""

    @property
    def location(self) -> str:
        """``file:member:offset`` (the member part omitted for the top-level stream)."""
        inner = f"{self.member}:" if self.member else ""
        return f"{self.file}:{inner}{self.offset}"

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping for JSON output."""
        return {
            "file": self.file,
            "member": self.member,
            "offset": self.offset,
            "location": self.location,
            "opcode": self.opcode,
            "global": self.global_,
            "severity": self.severity,
            "why": self.why,
            "technique": self.technique,
        }

    def describe(self) -> str:
        """One line a person can act on."""
        what = f"{self.opcode} {self.global_}" if self.global_ else self.opcode
        return f"[{self.severity}] {self.location}: {what}: {self.why}"


@dataclass(frozen=True)
class ScanResult:
    """Outcome of statically scanning one path; `safe` is True only when there is no finding.

    `formats` lists the containers recognised (outermost first, e.g. ``("gzip", "joblib")``),
    `globals` every ``module.name`` the pickles would import, with how often, and `members` the
    container members that were scanned. Globals are spelled ``module:name`` (exact, as
    `pkgutil.resolve_name` reads them); findings spell them ``module.name``.
    """

    path: str
    findings: tuple[Finding, ...]
    size: int
    formats: tuple[str, ...] = ()
    globals: tuple[tuple[str, int], ...] = ()
    members: tuple[str, ...] = ()
    bytes_scanned: int = 0
    files: tuple[str, ...] = field(default_factory=tuple)

    @property
    def safe(self) -> bool:
        """True when no finding was made (unverifiable content counts as a finding)."""
        return not self.findings

    @property
    def worst(self) -> str | None:
        """The most severe finding's severity, or None when safe."""
        for sev in SEVERITIES:
            if any(f.severity == sev for f in self.findings):
                return sev
        return None

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping for JSON output (`modelgate scan --json`) and gate details."""
        return {
            "path": self.path,
            "safe": self.safe,
            "size": self.size,
            "formats": list(self.formats),
            "members": list(self.members),
            "globals": {name: count for name, count in self.globals},
            "bytes_scanned": self.bytes_scanned,
            "findings": [f.to_dict() for f in self.findings],
        }

    def report(self) -> str:
        """A readable multi-line report of the verdict and every finding."""
        fmt = "+".join(self.formats) or "unknown"
        n = len(self.findings)
        head = (f"{self.path}: {'SAFE' if self.safe else 'UNSAFE'} ({fmt}, {self.size} bytes, "
                f"{n} finding{'s' if n != 1 else ''}")
        head += f", {len(self.globals)} distinct globals)" if self.globals else ")"
        if self.safe and self.formats and all(f in DATA_FORMATS for f in self.formats):
            head += ": data, nothing executable"
        lines = [head]
        lines += [f"  {f.describe()}" for f in self.findings]
        return "\n".join(lines)
