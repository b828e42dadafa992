"""Reading a TOML case document: typed readers that record every error with its key path.

:class:`CaseError` carries all problems found, one ``path: message`` line each.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.validation import is_real, magnitude_problem

__all__ = ["MISSING", "CaseError", "Checker", "is_integer", "is_number", "join_path", "type_name"]


class CaseError(InputError):
    """An invalid case file.

    ``errors`` lists ``(key path, message)`` pairs; the message has one ``path: message`` line
    per problem.
    """

    def __init__(self, errors: list[tuple[str, str]] | str, source: str | None = None):
        if isinstance(errors, str):
            errors = [("", errors)]
        self.errors = list(errors)
        self.source = source
        lines = [f"{p}: {m}" if p else m for p, m in self.errors]
        head = f"{source}: " if source else ""
        if len(lines) == 1:
            super().__init__(head + lines[0])
        else:
            super().__init__(
                f"{head}{len(lines)} problems in the case:\n" + "\n".join("  " + s for s in lines)
            )


# --------------------------------------------------------------------------------------
MISSING = object()


def is_number(v: Any) -> bool:
    """A real number (Python or NumPy), not a boolean (:func:`~fe_interface.model.validation.is_real`)."""
    return is_real(v)


def is_integer(v: Any) -> bool:
    """An integer (Python or NumPy), not a boolean."""
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def type_name(v: Any) -> str:
    """The TOML type of ``v`` for messages ("a number", "a table", ...)."""
    if is_integer(v):
        return "an integer"
    if is_number(v):
        return "a number"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(v), type(v).__name__)


class Checker:
    """Typed readers of a TOML document that record errors with their key path."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []
        self.fields: dict[str, Any] = {}  # [fields]: name -> PointField (case/values.py)
        self.value_uses: list[Any] = []  # values to check against the mesh (stage 3)

    def error(self, path: str, msg: str) -> None:
        """Record the error ``msg`` at the key path ``path``."""
        self.errors.append((path, msg))

    def keys(
        self,
        d: Mapping[str, Any],
        path: str,
        allowed: tuple[str, ...] | list[str],
        required: tuple[str, ...] | list[str] = (),
    ) -> None:
        """Record unknown keys of ``d`` (with a close match as hint) and missing required ones."""
        for k in d:
            if k not in allowed:
                close = difflib.get_close_matches(k, allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.error(
                    join_path(path, k), f"unknown key{hint} (allowed: {', '.join(sorted(allowed))})"
                )
        for k in required:
            if k not in d:
                self.error(join_path(path, k), "missing required value")

    def table(self, d: Mapping[str, Any], key: str, path: str, required: bool = False) -> dict:
        """The table ``d[key]``; {} if absent (an error if ``required``) or not a table."""
        v = d.get(key, MISSING)
        if v is MISSING:
            if required:
                self.error(join_path(path, key), "missing required table")
            return {}
        if not isinstance(v, dict):
            self.error(join_path(path, key), f"must be a table, got {type_name(v)}")
            return {}
        return v

    def _lookup(self, d: Mapping[str, Any], key: str, path: str, required: bool) -> tuple[Any, str]:
        """``d[key]`` (``MISSING`` if absent: an error if ``required``) and its key path."""
        v = d.get(key, MISSING)
        p = join_path(path, key)
        if v is MISSING and required:
            self.error(p, "missing required value")
        return v, p

    def number(
        self,
        d: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        gt: float | None = None,
        ge: float | None = None,
        le: float | None = None,
        default: Any = None,
        unit: str | None = None,
    ) -> Any:
        """The finite number ``d[key]`` as a float, checked against ``gt``/``ge``/``le``.

        With a ``unit`` listed in :data:`~fe_interface.model.validation.MAGNITUDES`, also
        against the magnitudes of physical values (1e300 W/(m K) is an error at its key).
        ``default`` if absent (an error if ``required``) or invalid.
        """
        v, p = self._lookup(d, key, path, required)
        if v is MISSING:
            return default
        if not is_number(v):
            self.error(p, f"must be a number, got {type_name(v)} {v!r}")
            return default
        v = float(v)
        if not math.isfinite(v):
            self.error(p, f"must be finite, got {v!r}")
        elif gt is not None and not v > gt:
            self.error(p, f"must be > {gt:g}, got {v:g}")
        elif ge is not None and not v >= ge:
            self.error(p, f"must be >= {ge:g}, got {v:g}")
        elif le is not None and not v <= le:
            self.error(p, f"must be <= {le:g}, got {v:g}")
        elif unit and (msg := magnitude_problem(v, unit)):
            self.error(p, f"{v:g} {unit} {msg}")
        else:
            return v
        return default

    def integer(
        self,
        d: Mapping[str, Any],
        key: str,
        path: str,
        *,
        choices: tuple[int, ...] | None = None,
        default: Any = None,
        required: bool = False,
    ) -> Any:
        """The integer ``d[key]``, one of ``choices`` if given.

        ``default`` if absent (an error if ``required``) or invalid.
        """
        v, p = self._lookup(d, key, path, required)
        if v is MISSING:
            return default
        if not is_integer(v):
            self.error(p, f"must be an integer, got {type_name(v)} {v!r}")
            return default
        v = int(v)
        if choices is not None and v not in choices:
            self.error(p, f"must be one of {', '.join(map(str, choices))}, got {v}")
            return default
        return v

    def string(
        self,
        d: Mapping[str, Any],
        key: str,
        path: str,
        *,
        choices: tuple[str, ...] | list[str] | None = None,
        default: Any = None,
        required: bool = False,
    ) -> Any:
        """The non-empty string ``d[key]``, one of ``choices`` if given.

        ``default`` if absent (an error if ``required``) or invalid.
        """
        v, p = self._lookup(d, key, path, required)
        if v is MISSING:
            return default
        if not isinstance(v, str) or not v:
            self.error(p, f"must be a non-empty string, got {type_name(v)} {v!r}")
            return default
        if choices is not None and v not in choices:
            close = difflib.get_close_matches(v, list(choices), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.error(p, f"unknown value {v!r}{hint} (choices: {', '.join(choices)})")
            return default
        return v

    def boolean(self, d: Mapping[str, Any], key: str, path: str, default: bool = False) -> bool:
        """The boolean ``d[key]``; ``default`` if absent or invalid."""
        v = d.get(key, MISSING)
        if v is MISSING:
            return default
        if not isinstance(v, (bool, np.bool_)):
            self.error(join_path(path, key), f"must be true or false, got {type_name(v)} {v!r}")
            return default
        return bool(v)

    def point(self, d: Mapping[str, Any], key: str, path: str, required: bool = False) -> Any:
        """A point (m) ``d[key]`` of 2 or 3 finite numbers as [x, y, z] (z = 0 in 2D).

        None if absent (an error if ``required``) or invalid.
        """
        v, p = self._lookup(d, key, path, required)
        if v is MISSING:
            return None
        if not isinstance(v, list) or not 2 <= len(v) <= 3 or not all(is_number(x) for x in v):
            self.error(p, f"must be an array of 2 or 3 numbers (m), got {v!r}")
            return None
        if not all(math.isfinite(float(x)) for x in v):
            self.error(p, f"must be finite, got {v!r}")
            return None
        return [float(x) for x in v] + [0.0] * (3 - len(v))


def join_path(path: str, key: str) -> str:
    """The key path of ``key`` in the table at ``path`` ("a.b" + "c" -> "a.b.c")."""
    return f"{path}.{key}" if path else key
