"""Which globals a pickle may import: an exact allow-list, plus a deny-list that only explains.

Default deny: a ``(module, name)`` pair is accepted only when it is on the allow-list (derived
from real scikit-learn, numpy, scipy and joblib artifacts, see `_allowlist_data`) or added by
the user. The deny-list never lets anything through; it grades severity and names the known
technique so that a finding says *why* a global is dangerous, not only that it is unknown.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pytest_modelgate.exceptions import ConfigError

from ._allowlist_data import ALIASES, ALLOWED_GLOBALS, CURATED_GLOBALS, SKOPS_ALLOWED_TYPES

__all__ = [
    "ALIASES",
    "DENIED_GLOBALS",
    "DENIED_MODULES",
    "EXEC_CAPABLE",
    "Policy",
    "Verdict",
    "allow_hint",
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
    "numpy._pytesttester": "runs pytest on a module (imports and runs test code)",
    "sklearn.utils._testing": "test helpers that run Python scripts in a subprocess "
                              "(assert_run_python_script_without_output, check_output)",
    "sklearn.utils.estimator_checks": "test helpers that fit and call arbitrary estimators",
    "scipy._lib._testutils": "runs pytest and subprocesses (PytestTester, _run_concurrent)",
    "pandas._testing": "test helpers (pandas._testing re-exports file and process helpers)",
    "pandas.util._tester": "runs pytest (pandas.test)",
    "pandas.io": "file and network readers and writers (read_pickle, read_csv('http://...'))",
    "_pytest": "pytest internals (run arbitrary test files)",
    "pytest": "runs arbitrary test files (pytest.main)",
    "numpy.lib.format": "reads and writes array files (open_memmap, read_array(fp))",
    "numpy.lib.npyio": "reads and writes files (savetxt, genfromtxt, DataSource)",
    "numpy.lib._npyio_impl": "reads and writes files (savetxt, genfromtxt, DataSource)",
    "numpy.lib._datasource": "opens files and URLs (DataSource)",
    "scipy.io": "reads and writes files (savemat, loadmat, mmwrite, wavfile.write)",
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
    **{("numpy", n): "writes files" for n in ("savetxt", "savez", "savez_compressed")},
    **{("numpy", n): "reads arbitrary files" for n in ("genfromtxt", "fromregex", "recfromtxt",
                                                        "recfromcsv")},
    ("numpy", "DataSource"): "opens files and URLs",
    ("numpy", "ndarray.tofile"): "writes files",
    ("numpy", "ndarray.dump"): "writes a pickle file",
    ("joblib", "dump"): "writes files",
    ("joblib.numpy_pickle", "dump"): "writes files",
    ("joblib.numpy_pickle", "load"): "nested joblib.load of another file",
    ("joblib", "load"): "nested joblib.load of another file",
    ("torch", "load"): "nested torch.load (a second pickle)",
    ("pandas", "read_pickle"): "nested unpickling of another file",
    **{("pandas", f"read_{kind}"): "reads files or URLs (pandas.io)" for kind in (
        "csv", "table", "fwf", "json", "html", "xml", "excel", "parquet", "feather", "orc",
        "sql", "sql_query", "sql_table", "stata", "sas", "spss", "hdf", "clipboard")},
    ("numpy.testing._private.utils", "runstring"): "runs exec() on its string argument",
    ("numpy.testing", "runstring"): "runs exec() on its string argument",
    ("sklearn.utils._testing", "check_output"): "bound to subprocess.check_output: runs "
                                                "shell commands",
    ("pydoc", "locate"): "resolves any dotted name to an object (a universal resolver)",
    ("operator", "attrgetter"): "reaches any attribute (attrgetter('system')(os))",
    ("operator", "methodcaller"): "calls any method by name",
    ("_operator", "attrgetter"): "reaches any attribute",
    ("_operator", "methodcaller"): "calls any method by name",
}

# The functions an alias is checked against: each runs code, starts a process, opens or removes
# files, resolves arbitrary names or unpickles. `derive.find_aliases` looks for these objects
# bound under other names in installed packages and writes the `ALIASES` table.
EXEC_CAPABLE: dict[str, tuple[str, ...]] = {
    "builtins": ("eval", "exec", "compile", "__import__", "getattr", "setattr", "delattr",
                 "globals", "locals", "vars", "open", "breakpoint", "input", "help", "exit",
                 "quit"),
    "os": ("system", "popen", "execl", "execle", "execlp", "execlpe", "execv", "execve",
           "execvp", "execvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve",
           "spawnvp", "spawnvpe", "posix_spawn", "posix_spawnp", "fork", "forkpty", "kill",
           "killpg", "remove", "unlink", "rmdir", "removedirs", "rename", "renames", "replace",
           "truncate", "putenv", "chmod", "chown", "symlink", "link", "open", "fdopen",
           "startfile"),
    "subprocess": ("Popen", "run", "call", "check_call", "check_output", "getoutput",
                   "getstatusoutput"),
    "pty": ("spawn", "fork"),
    "shutil": ("rmtree", "move", "copy", "copy2", "copyfile", "copytree", "chown",
               "make_archive", "unpack_archive"),
    "pickle": ("load", "loads", "Unpickler"),
    "_pickle": ("load", "loads", "Unpickler"),
    "marshal": ("load", "loads"),
    "shelve": ("open",),
    "runpy": ("run_path", "run_module", "_run_code", "_run_module_code"),
    "importlib": ("import_module", "reload", "__import__"),
    "pkgutil": ("resolve_name",),
    "pydoc": ("locate", "pipepager", "pager", "tempfilepager", "plainpager"),
    "code": ("interact", "InteractiveInterpreter", "InteractiveConsole", "compile_command"),
    "codeop": ("compile_command",),
    "pdb": ("run", "runeval", "runctx", "runcall", "set_trace", "post_mortem"),
    "timeit": ("timeit", "repeat", "Timer"),
    "cProfile": ("run", "runctx"),
    "profile": ("run", "runctx"),
    "doctest": ("debug_script", "debug_src", "debug", "run_docstring_examples", "testfile"),
    "platform": ("popen",),
    "webbrowser": ("open", "open_new", "open_new_tab", "get"),
    "socket": ("socket", "create_connection", "create_server", "fromfd", "socketpair"),
    "ctypes": ("CDLL", "PyDLL", "cdll", "pydll", "LibraryLoader"),
    "io": ("open", "open_code", "FileIO"),
    "_io": ("open", "open_code", "FileIO"),
    "codecs": ("open",),
    "types": ("FunctionType", "CodeType", "LambdaType", "MethodType"),
    "operator": ("attrgetter", "methodcaller", "getitem", "call"),
    "functools": ("reduce",),
    "itertools": ("starmap",),
    "sys": ("settrace", "setprofile", "addaudithook", "exit"),
}

# Names a module wildcard never covers: the spelling of an import of an EXEC_CAPABLE function or
# of a denied module (``from subprocess import check_output`` inside an allowed package).
_EXEC_NAMES: frozenset[str] = frozenset({
    "system", "popen", "Popen", "execl", "execle", "execlp", "execlpe", "execv", "execve",
    "execvp", "execvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve",
    "spawnvp", "spawnvpe", "posix_spawn", "posix_spawnp", "check_call", "check_output",
    "getoutput", "getstatusoutput", "eval", "exec", "compile", "__import__", "import_module",
    "run_path", "run_module", "runstring", "runcode", "runsource", "runctx", "runeval",
    "loads", "load", "Unpickler", "pipepager", "locate", "resolve_name", "attrgetter",
    "methodcaller", "FunctionType", "CodeType", "rmtree", "getattr", "setattr", "globals",
    "vars", "breakpoint", "read_pickle",
})

_TECHNIQUES: dict[str, str] = {
    "pickle": "nested-pickle", "_pickle": "nested-pickle", "cPickle": "nested-pickle",
    "marshal": "marshal-code", "types": "marshal-code", "pkgutil": "universal-resolver",
    "importlib": "import-chain", "operator": "attribute-gadget", "_operator": "attribute-gadget",
}


# Names under which packages commonly import a library (``import numpy as np``): an attribute
# walk through one of them is judged as a walk through the library itself.
_MODULE_NICKNAMES: dict[str, str] = {"np": "numpy", "pd": "pandas", "sp": "scipy",
                                     "plt": "matplotlib.pyplot", "pkl": "pickle",
                                     "_pickle": "pickle", "cPickle": "pickle"}


def _dotted_danger(module: str, name: str) -> str | None:
    """Why an attribute walk ``module:a.b.c`` may reach a code-execution global, judged
    statically (nothing is imported): any step that is a dunder, a denied module's or an
    exec-capable function's name, or any sub-path that is a denied module, global or alias
    (``mypkg:os.system``, ``sklearn.tree._classes:np.savetxt``). None when no path is known bad.
    """
    steps = name.split(".")
    parts = module.split(".") + steps
    first = len(parts) - len(steps)
    for j in range(first, len(parts)):
        step = parts[j]
        root = _MODULE_NICKNAMES.get(parts[0], parts[0])
        if (root, step) in DENIED_GLOBALS:  # a re-export of numpy.fromfile, joblib.load, ...
            return f"{root}.{step}: {DENIED_GLOBALS[root, step]}"
        if step.startswith("__") or "__" in step.strip("_"):
            return f"step {step!r} reaches interpreter internals"
        if step in _EXEC_NAMES or step in _DENIED_ROOTS:
            return f"step {step!r} is the name of a code-execution function or module"
        for start in range(j):
            head = [_MODULE_NICKNAMES.get(parts[start], parts[start]), *parts[start + 1:j]]
            path = ".".join(head)
            pair = (path, step)
            if pair in ALIASES:
                return f"{path}.{step} is bound to {ALIASES[pair]}"
            if pair in DENIED_GLOBALS:
                return f"{path}.{step}: {DENIED_GLOBALS[pair]}"
            denied = _module_reason(f"{path}.{step}")
            if denied is not None:
                return f"module {denied[0]!r}: {denied[1]}"
    return None


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
    """An allow-list of exact ``(module, name)`` pairs and module prefixes (``"mypkg.*"``).

    The constructor takes its entries as given; user input goes through `extended` (or
    `parse_allow`), which refuses anything reaching a denied global. `judge` never lets an entry
    override the deny table, the alias table or a denied module in any case."""

    def __init__(
        self,
        allowed: Iterable[tuple[str, str]] = (),
        allowed_modules: Iterable[str] = (),
        *,
        include_defaults: bool = True,
    ) -> None:
        base = set(ALLOWED_GLOBALS) | set(CURATED_GLOBALS) if include_defaults else set()
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
        """Allowed, or a severity ("critical" for known-dangerous, else "high") with the reason.

        Known-dangerous globals and aliases are judged first: no allow entry, exact or wildcard,
        overrides them; a wildcard covers no name inside a denied module either."""
        target = ALIASES.get((module, name))
        if target is not None:
            return Verdict("critical", f"known dangerous: {module}.{name} is bound to {target} "
                           f"({_target_reason(target)})", "alias")
        reason = DENIED_GLOBALS.get((module, name))
        if reason is not None:
            return Verdict("critical", f"known dangerous: {reason}", _technique(module))
        if (module, name) in self.allowed:
            return Verdict(None, "on the allow-list")
        user = self._user_module(module) and _module_reason(module) is None
        if "." in name:  # no wildcard covers an attribute walk: only exact entries do (above)
            danger = _module_reason(module) or _dotted_danger(module, name)
            if danger:
                return Verdict("critical", f"dotted name {name!r} walks attributes from "
                               f"{module!r} at load time (protocol 4 traversal gadget)",
                               "dotted-traversal")
            return Verdict("high", f"dotted name {name!r} walks attributes from {module!r} at "
                           "load time; only exact names are accepted (a module wildcard never "
                           "covers one)", "dotted-traversal")
        if user and _IDENT.match(name):
            if name in _EXEC_NAMES or name in _DENIED_ROOTS:
                return Verdict("critical", f"name {name!r} is the name of a code-execution "
                               f"function or module; a module wildcard never covers it (in "
                               f"{module!r} it may be an import of one)", "exec-name")
            return Verdict(None, "module allowed by the user")
        if module in _BUILTIN_MODULES and name in PURE_BUILTINS:
            return Verdict("medium", f"builtin {name!r} is pure (no code execution, files or "
                           "imports) but not on the allow-list: model files of the vetted "
                           "libraries never pickle it", "pure-builtin")
        denied = _module_reason(module)
        if denied is not None:
            return Verdict("critical", f"module {denied[0]!r}: {denied[1]}", _technique(module))
        if "__" in name.strip("_") or name.startswith("__"):
            return Verdict("critical", f"dunder name {name!r} reaches interpreter internals",
                           "dunder")
        if name in _EXEC_NAMES or name in _DENIED_ROOTS:
            return Verdict("critical", f"name {name!r} is the name of a code-execution function "
                           f"or module (in {module!r} it may be an import of one)", "exec-name")
        if module.split(".")[0] in _VETTED_ROOTS:
            return Verdict("high", "not among the globals that scikit-learn/numpy/scipy/joblib/"
                           "torch/xgboost/lightgbm model files use: a file that needs it was "
                           "not written by these libraries' own pickling; re-export the model",
                           "unknown-library-global")
        return Verdict("high", "not on the allow-list of scikit-learn/numpy/scipy/joblib/"
                       "torch/xgboost/lightgbm globals; importing it runs that module's code. If "
                       f"it is your own code, trust it explicitly (allow=['{module}.{name}'])",
                       "not-allowed")


_BUILTIN_MODULES = frozenset({"builtins", "__builtin__", "__builtins__"})

# Builtins that compute a value and nothing else: no code from strings, no attribute access by
# name, no files, stdin, debugger, imports or class creation. A pickle naming one that is not on
# the allow-list is odd (medium), not an attack; everything else in builtins stays critical.
PURE_BUILTINS: frozenset[str] = frozenset({
    "abs", "all", "any", "ascii", "bin", "bool", "bytearray", "bytes", "callable", "chr",
    "classmethod", "complex", "dict", "divmod", "enumerate", "filter", "float", "format",
    "frozenset", "hash", "hex", "id", "int", "isinstance", "issubclass", "iter", "len", "list",
    "map", "max", "memoryview", "min", "next", "object", "oct", "ord", "pow", "print",
    "property", "range", "repr", "reversed", "round", "set", "slice", "sorted", "staticmethod",
    "str", "sum", "tuple", "zip", "Ellipsis", "NotImplemented",
    *(n for n, v in vars(builtins).items()
      if isinstance(v, type) and issubclass(v, BaseException)),
})

# Libraries whose every legitimate pickle global is vetted here: an unknown one is never
# something the user should be advised to trust.
_VETTED_ROOTS: frozenset[str] = frozenset({
    "numpy", "scipy", "sklearn", "joblib", "torch", "xgboost", "lightgbm", "pandas", "skops",
    "builtins", "collections", "copyreg", "_codecs", "datetime", "decimal", "uuid"})

_DENIED_ROOTS: frozenset[str] = frozenset(m for m in DENIED_MODULES if "." not in m
                                          and m not in {"code", "profile", "trace", "types",
                                                        "io", "signal", "platform"})


def _target_reason(target: str) -> str:
    module, _, name = target.rpartition(".")
    why = DENIED_GLOBALS.get((module, name))
    if why is not None:
        return why
    denied = _module_reason(module)
    return denied[1] if denied else "a code-execution function"


def _technique(module: str) -> str:
    root = module.split(".")[0]
    return _TECHNIQUES.get(root, "denied-global")


_FORMS = ("write its full import path as 'module.Name' (e.g. 'mypkg.features.Scaler'), "
          "'module:Name', or 'package.*' for a whole package")


def parse_allow(
    allow: Iterable[str | tuple[str, str]] | str | None,
) -> tuple[frozenset[tuple[str, str]], frozenset[str]]:
    """Parse and vet user allow entries: ``"mod.sub:Name"``, ``"mod.sub.Name"``,
    ``("mod", "Name")`` or ``"mod.*"`` (the module and its submodules).

    The one validator for every way of trusting a global (``allow=`` of the scanner, loaders and
    `gate.artifact`, and ``--modelgate-model-allow``): an entry that names, or a wildcard that
    covers, a denied module, a denied global or a known alias of one raises `ConfigError`.
    """
    if allow is None:
        return frozenset(), frozenset()
    if isinstance(allow, str):
        allow = [allow]
    pairs: set[tuple[str, str]] = set()
    modules: set[str] = set()
    for item in allow:
        entries: list[str | tuple[str, str]] = (
            [a for a in re.split(r"[\s,]+", item) if a] if isinstance(item, str) else [item])
        for entry in entries:
            if isinstance(entry, tuple):
                if not (len(entry) == 2 and all(isinstance(x, str) and _IDENT.match(x)
                                                for x in entry)):
                    raise ConfigError(f"allow: {entry!r} is not a global; {_FORMS}")
                pair = (entry[0], entry[1])
                _refuse_pair(pair, f"{pair[0]}.{pair[1]}")
                pairs.add(pair)
            elif isinstance(entry, str) and (entry == "*" or entry.endswith(".*")):
                module = entry[:-2]
                if entry != "*" and not _IDENT.match(module):
                    raise ConfigError(f"allow: {entry!r} is not a global; {_FORMS}")
                _refuse_wildcard(module, entry)
                modules.add(module)
            elif isinstance(entry, str) and ":" in entry:
                module, _, name = entry.partition(":")
                if not (_IDENT.match(module) and _IDENT.match(name)):
                    raise ConfigError(f"allow: {entry!r} is not a global; {_FORMS}")
                _refuse_pair((module, name), entry)
                pairs.add((module, name))
            elif isinstance(entry, str) and "." in entry and _IDENT.match(entry):
                module, _, name = entry.rpartition(".")
                _refuse_pair((module, name), entry)
                pairs.add((module, name))
            else:
                raise ConfigError(f"allow: {entry!r} is not a global; {_FORMS}")
    return frozenset(pairs), frozenset(modules)


def _refuse_pair(pair: tuple[str, str], entry: str) -> None:
    if pair in ALLOWED_GLOBALS or pair in CURATED_GLOBALS:
        return  # already vetted (a reconstructor inside a denied module such as torch)
    module = pair[0]
    why = DENIED_GLOBALS.get(pair)
    if why is None and "." in pair[1]:
        why = _dotted_danger(module, pair[1])
    root = module.split(".")[0]
    if why is None and (root, pair[1]) in DENIED_GLOBALS:  # numpy._core.multiarray.fromfile
        why = f"the same name as {root}.{pair[1]}: {DENIED_GLOBALS[root, pair[1]]}"
    if why is None and pair in ALIASES:
        why = f"bound to {ALIASES[pair]}: {_target_reason(ALIASES[pair])}"
    denied = _module_reason(module)
    if why is None and denied is not None:
        why = f"module {denied[0]!r}: {denied[1]}"
    if why is not None:
        raise ConfigError(
            f"allow: {entry} is a known code-execution global ({why}); it can never be "
            "allowed. A model that needs it is not safe to load: rebuild it without it"
        )


def _split(glob: str) -> tuple[str, str]:
    module, _, name = glob.rpartition(".")
    return module, name


def _covered(module: str, wildcard: str) -> bool:
    return wildcard == "" or module == wildcard or module.startswith(wildcard + ".")


def _refuse_wildcard(wildcard: str, entry: str) -> None:
    """Refuse a ``package.*`` entry that covers any denied module, denied global or alias."""
    if wildcard == "":
        raise ConfigError(f"allow: {entry!r} covers every module, including os, subprocess and "
                          "builtins; it can never be allowed. List the exact globals your model "
                          "needs ('module.Name')")
    hit: str | None = None
    denied = _module_reason(wildcard)
    if denied is not None:
        where = "is" if denied[0] == wildcard else "is inside"
        hit = f"it {where} the denied module {denied[0]!r}: {denied[1]}"
    if hit is None:
        inner = [m for m in DENIED_MODULES if _covered(m, wildcard)]  # table order: best known
        if inner:
            more = f" (and {', '.join(inner[1:3])}{' ...' if len(inner) > 3 else ''})" \
                if len(inner) > 1 else ""
            hit = f"it covers the denied module {inner[0]!r}: {DENIED_MODULES[inner[0]]}{more}"
    if hit is None:
        names = [f"{m}.{n}" for m, n in DENIED_GLOBALS if _covered(m, wildcard)]
        if names:
            hit = f"it covers the denied global {names[0]}: {DENIED_GLOBALS[_split(names[0])]}"
    if hit is None:
        aliases = sorted((f"{m}.{n}", t) for (m, n), t in ALIASES.items() if _covered(m, wildcard))
        if aliases:
            hit = f"it covers {aliases[0][0]}, which is bound to {aliases[0][1]}"
    if hit is not None:
        raise ConfigError(f"allow: {entry} can never be allowed: {hit}. List the exact globals "
                          "your model needs ('module.Name') instead")


def allow_hint(items: Iterable[tuple[str | None, str, str]]) -> str:
    """The closing advice for refused globals, given (global, severity, technique) triples:
    names the globals a user may trust with ``allow=`` (those merely not on the allow-list) and
    never suggests trusting a critical one."""
    allowable: list[str] = []
    critical = False
    for glob, severity, technique in items:
        if severity == "critical":
            critical = True
        elif technique.endswith("not-allowed") and glob and glob not in allowable:
            allowable.append(glob)
    parts = []
    if critical:
        parts.append("critical findings are code-execution globals that no setting can trust: "
                     "do not load this file; re-export the model from trusted code (skops is "
                     "safest)")
    if allowable:
        shown = ", ".join(repr(g) for g in allowable[:3])
        parts.append(f"if {'it is' if len(allowable) == 1 else 'they are'} your own code, "
                     f"trust {shown} explicitly (allow=[{shown}])")
    if not parts:
        parts.append("re-export the model from trusted code (skops is safest)")
    return "; ".join(parts)



_DEFAULT: list[Policy] = []


def default_policy() -> Policy:
    """The shared default policy (built once)."""
    if not _DEFAULT:
        _DEFAULT.append(Policy())
    return _DEFAULT[0]
