"""Case-file dictionaries in tests: one key set or deleted by its dotted path, and the
:class:`~fe_interface.case.CaseError` message of an invalid case."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fe_interface.case import CaseError, parse_case


class _Delete:
    """Marks a key to delete; a fixed repr keeps test ids equal between processes."""

    def __repr__(self) -> str:
        return "<delete>"


#: the value that deletes a key (``None`` can be a value a test sets on purpose)
DELETE = _Delete()


def with_key(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``data`` with the value at the dotted ``path`` ('a.b.c') replaced;
    ``DELETE`` removes it, missing tables on the way are created."""
    d = copy.deepcopy(data)
    keys = path.split(".")
    node = d
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    if value is DELETE:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value
    return d


def errors_of(data: dict[str, Any]) -> str:
    """The message of the CaseError that ``parse_case(data)`` must raise."""
    with pytest.raises(CaseError) as e:
        parse_case(data)
    return str(e.value)
