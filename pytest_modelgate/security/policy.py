"""Which globals a pickle may import: an exact allow-list, plus a deny-list that only explains.

Default deny: a ``(module, name)`` pair is accepted only when it is on the allow-list (derived
from real scikit-learn, numpy, scipy and joblib artifacts, see `_allowlist_data`) or added by
the user. The deny-list never lets anything through; it grades severity and names the known
technique so that a finding says *why* a global is dangerous, not only that it is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pytest_modelgate.exceptions import ConfigError

from ._allowlist_data import ALLOWED_GLOBALS, SKOPS_ALLOWED_TYPES

__all__ = [
    "DENIED_GLOBALS",
    "DENIED_MODULES",
    "Policy",
    "Verdict",
    "default_policy",
    "parse_allow",
]

# Module prefixes (a module and its submodules) with the reason a finding gives.
DENIED_MODULES: dict[str, str] = {
    "os": "operating-system access (os.system, os.popen, file removal)",
    "posix": "operating-system access (the module behind os on POSIX)",
    "nt": "operating-system access (the module behind os on Windows)",
    "subprocess": "runs shell commands",
    "pty": "spawns a shell (pty.spawn)",
    "sys": "interpreter internals (sys.modules, sys.settrace)",
    "socket": "network access",
    "ssl": "network access",
    "http": "network access",
    "urllib": "network access",
    "urllib2": "network access",
    "httplib": "network access",
    "requests": "network access",
    "aiohttp": "network access",
    "ftplib": "network access",
    "smtplib": "network access",
    "telnetlib": "network access",
    "xmlrpc": "network access",
    "webbrowser": "opens URLs in a browser",
    "shutil": "file-system operations (rmtree, copy)",
    "tempfile": "file-system operations",
    "glob": "file-system enumeration",
    "fileinput": "reads arbitrary files",
    "io": "opens files (io.open, FileIO)",
    "_io": "opens files",
    "codecs": "opens files (codecs.open)",
    "runpy": "runs Python modules and files",
    "importlib": "imports arbitrary modules (importlib.import_module)",
    "pkgutil": "resolves arbitrary names (pkgutil.resolve_name('os:system'))",
    "imp": "imports arbitrary modules",
    "zipimport": "imports code from archives",
    "marshal": "loads code objects (marshal.loads -> types.FunctionType)",
    "types": "builds functions and code objects (types.FunctionType, CodeType)",
    "code": "runs source code (code.InteractiveInterpreter.runcode)",
    "codeop": "compiles source code",
    "compileall": "compiles and writes code",
    "py_compile": "compiles and writes code",
    "pickle": "nested unpickling (pickle.loads of an embedded payload)",
    "_pickle": "nested unpickling",
    "cPickle": "nested unpickling",
    "pickletools": "pickle internals",
    "copyreg": "pickle extension registry",
    "shelve": "nested unpickling from files",
    "dill": "nested unpickling of arbitrary code",
    "cloudpickle": "nested unpickling of arbitrary code",
    "joblib": "nested loading (joblib.load) and parallel execution",
    "operator": "attribute and item access gadgets (attrgetter, methodcaller, getitem)",
    "_operator": "attribute and item access gadgets",
    "functools": "call gadgets (reduce, partial)",
    "itertools": "call gadgets (starmap)",
    "ctypes": "calls native code",
    "_ctypes": "calls native code",
    "cffi": "calls native code",
    "multiprocessing": "starts processes",
    "concurrent": "starts threads and processes",
    "threading": "starts threads",
    "_thread": "starts threads",
    "asyncio": "subprocesses and network access",
    "signal": "signal handlers",
    "atexit": "registers code to run at exit",
    "gc": "interpreter internals",
    "inspect": "reaches frames and globals",
    "platform": "runs commands (platform.popen)",
    "timeit": "runs source code (timeit.timeit, GHSA-v7x6-rv5q-mhwc)",
    "cProfile": "runs source code (cProfile.run)",
    "profile": "runs source code (profile.run)",
    "trace": "runs source code",
    "pdb": "runs source code (pdb.run)",
    "bdb": "runs source code (bdb.Bdb.run)",
    "doctest": "runs source code (doctest.debug_script)",
    "idlelib": "runs source code (IDLE internals)",
    "lib2to3": "runs source code (pgen driver)",
    "pip": "installs packages (pip.main, CVE-2025-1716)",
    "ensurepip": "runs pip (ensurepip._run_pip, GHSA-xp4f-hrf8-rxw7)",
    "venv": "creates environments and runs pip",
    "distutils": "runs build commands",
    "setuptools": "runs build commands",
    "uuid": "runs commands (uuid._get_command_stdout)",
    "imaplib": "runs commands (imaplib.IMAP4_stream)",
    "_osx_support": "runs commands",
    "_aix_support": "runs commands",
    "_pyrepl": "runs commands (_pyrepl.pager)",
    "pydoc": "runs commands (pydoc.pipepager)",
    "mailcap": "runs commands (mailcap.findmatch)",
    "builtins": "Python builtins (eval, exec, getattr, __import__, open)",
    "__builtin__": "Python builtins (eval, exec, getattr, __import__, open)",
    "__builtins__": "Python builtins",
    "numpy.testing": "numpy.testing._private.utils.runstring executes source code",
    "numpy.f2py": "compiles and runs code",
    "numpy.distutils": "runs build commands",
    "numpy.ctypeslib": "calls native code",
    "torch": "PyTorch gadgets (torch.utils.bottleneck, torch._dynamo guards, torch.jit, torch.load)",
    "tensorflow": "TensorFlow file and code gadgets",
    "keras": "Keras Lambda layers run code",
    "__main__": "a name defined in the script that saved the model; the loader's __main__ decides what it is",
}

# Exact globals with a specific reason (these win over the module reason).
DENIED_GLOBALS: dict[tuple[str, str], str] = {
    ("builtins", "eval"): "evaluates a Python expression",
    ("builtins", "exec"): "executes Python source",
    ("builtins", "compile"): "compiles Python source",
    ("builtins", "__import__"): "imports any module",
    ("builtins", "getattr"): "reaches any attribute (getattr(module, 'system'))",
    ("builtins", "setattr"): "overwrites attributes",
    ("builtins", "delattr"): "deletes attributes",
    ("builtins", "vars"): "exposes a module's namespace",
    ("builtins", "globals"): "exposes the global namespace",
    ("builtins", "locals"): "exposes a namespace",
    ("builtins", "open"): "opens files",
    ("builtins", "breakpoint"): "starts a debugger",
    ("builtins", "input"): "reads stdin",
    ("builtins", "help"): "runs a pager",
    ("builtins", "exit"): "exits the interpreter",
    ("builtins", "quit"): "exits the interpreter",
    ("builtins", "type"): "builds classes",
    ("builtins", "super"): "reaches parent methods",
    ("builtins", "dict.get"): "dotted builtins path (builtins.dict.get reaches __builtins__)",
    ("numpy", "load"): "loads files, with pickles when allow_pickle=True",
    ("numpy", "fromfile"): "reads arbitrary files",
    ("numpy", "loadtxt"): "reads arbitrary files",
    ("numpy", "save"): "writes files",
    ("numpy", "memmap"): "maps arbitrary files",
    ("joblib", "load"): "nested joblib.load of another file",
    ("torch", "load"): "nested torch.load (a second pickle)",
}

_TECHNIQUES: dict[str, str] = {
    "pickle": "nested-pickle", "_pickle": "nested-pickle", "cPickle": "nested-pickle",
    "marshal": "marshal-code", "types": "marshal-code", "pkgutil": "universal-resolver",
    "importlib": "import-chain", "operator": "attribute-gadget", "_operator": "attribute-gadget",
}


def _module_reason(module: str) -> tuple[str, str] | None:
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        if prefix in DENIED_MODULES:
            return prefix, DENIED_MODULES[prefix]
    return None


@dataclass(frozen=True)
class Verdict:
    """The judgement of one global: None severity means allowed."""

    severity: str | None
    why: str
    technique: str = ""

    @property
    def allowed(self) -> bool:
        return self.severity is None


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


class Policy:
    """An allow-list of exact ``(module, name)`` pairs and module prefixes (``"mypkg.*"``)."""

    def __init__(
        self,
        allowed: Iterable[tuple[str, str]] = (),
        allowed_modules: Iterable[str] = (),
        *,
        include_defaults: bool = True,
    ) -> None:
        base = set(ALLOWED_GLOBALS) if include_defaults else set()
        self.allowed: frozenset[tuple[str, str]] = frozenset(base | set(allowed))
        self.allowed_modules: tuple[str, ...] = tuple(sorted(set(allowed_modules)))
        skops = set(SKOPS_ALLOWED_TYPES) if include_defaults else set()
        self.skops_allowed: frozenset[tuple[str, str]] = frozenset(skops | self.allowed)

    def extended(self, allow: Iterable[str | tuple[str, str]]) -> Policy:
        """A copy that also accepts `allow` (see `parse_allow`)."""
        pairs, modules = parse_allow(allow)
        out = Policy.__new__(Policy)
        out.allowed = self.allowed | pairs
        out.allowed_modules = tuple(sorted(set(self.allowed_modules) | modules))
        out.skops_allowed = self.skops_allowed | pairs
        return out

    def _user_module(self, module: str) -> bool:
        return any(module == m or module.startswith(m + ".") for m in self.allowed_modules)

    def judge(self, module: str, name: str) -> Verdict:
        """Allowed, or a severity ("critical" for known-dangerous, else "high") with the reason."""
        if (module, name) in self.allowed:
            return Verdict(None, "on the allow-list")
        if "." in name and self._user_module(module) is False:
            denied = _module_reason(module)
            head = name.split(".", 1)[0]
            if denied or (module, head) in DENIED_GLOBALS or head.startswith("__"):
                return Verdict("critical", f"dotted name {name!r} walks attributes from "
                               f"{module!r} at load time (protocol 4 traversal gadget)",
                               "dotted-traversal")
            return Verdict("high", f"dotted name {name!r} walks attributes from {module!r} at "
                           "load time; only exact names on the allow-list are accepted",
                           "dotted-traversal")
        if self._user_module(module) and _IDENT.match(name):
            return Verdict(None, "module allowed by the user")
        reason = DENIED_GLOBALS.get((module, name))
        if reason is not None:
            return Verdict("critical", f"known dangerous: {reason}", _technique(module))
        denied = _module_reason(module)
        if denied is not None:
            return Verdict("critical", f"module {denied[0]!r}: {denied[1]}", _technique(module))
        if "__" in name.strip("_") or name.startswith("__"):
            return Verdict("critical", f"dunder name {name!r} reaches interpreter internals",
                           "dunder")
        return Verdict("high", "not on the allow-list of scikit-learn/numpy/scipy/joblib "
                       "globals; importing it runs that module's code. If you trust it, allow it "
                       f"explicitly (allow=['{module}.{name}'])", "not-allowed")


def _technique(module: str) -> str:
    root = module.split(".")[0]
    return _TECHNIQUES.get(root, "denied-global")


def parse_allow(
    allow: Iterable[str | tuple[str, str]] | str | None,
) -> tuple[frozenset[tuple[str, str]], frozenset[str]]:
    """Parse user allow entries: ``"mod.sub:Name"``, ``"mod.sub.Name"``, ``("mod", "Name")`` or
    ``"mod.*"`` (the module and its submodules)."""
    if allow is None:
        return frozenset(), frozenset()
    if isinstance(allow, str):
        allow = [a for a in re.split(r"[\s,]+", allow) if a]
    pairs: set[tuple[str, str]] = set()
    modules: set[str] = set()
    for entry in allow:
        if isinstance(entry, tuple) and len(entry) == 2 and all(isinstance(x, str) for x in entry):
            pairs.add((entry[0], entry[1]))
        elif isinstance(entry, str) and entry.endswith(".*") and _IDENT.match(entry[:-2]):
            modules.add(entry[:-2])
        elif isinstance(entry, str) and ":" in entry:
            module, _, name = entry.partition(":")
            if not (_IDENT.match(module) and _IDENT.match(name)):
                raise ConfigError(f"allow: cannot parse {entry!r}; write 'module:Name'")
            pairs.add((module, name))
        elif isinstance(entry, str) and "." in entry and _IDENT.match(entry):
            module, _, name = entry.rpartition(".")
            pairs.add((module, name))
        else:
            raise ConfigError(
                f"allow: cannot parse {entry!r}; write 'module.Name', 'module:Name', "
                "('module', 'Name') or 'package.*'"
            )
    for module, name in pairs:
        why = DENIED_GLOBALS.get((module, name))
        denied = _module_reason(module)
        if why is None and denied is not None:
            why = f"module {denied[0]!r}: {denied[1]}"
        if why is not None:
            raise ConfigError(
                f"allow: {module}.{name} is a known code-execution global ({why}); it can never "
                "be allowed. A model that needs it is not safe to load: rebuild it without it"
            )
    for module in modules:
        denied = _module_reason(module)
        if denied is not None:
            raise ConfigError(
                f"allow: {module}.* covers a denied module ({denied[0]!r}: {denied[1]}); it can "
                "never be allowed. Allow the exact safe globals you need instead"
            )
    return frozenset(pairs), frozenset(modules)


_DEFAULT: list[Policy] = []


def default_policy() -> Policy:
    """The shared default policy (built once)."""
    if not _DEFAULT:
        _DEFAULT.append(Policy())
    return _DEFAULT[0]
