"""The read stage of a case: the TOML file, refused with one line when it is no text or TOML."""

from __future__ import annotations

import tomllib
from pathlib import Path

from fe_interface.case.checker import CaseError
from fe_interface.case.spec import Case
from fe_interface.case.validate import parse_case

__all__ = ["load_case"]


def load_case(path: str | Path) -> Case:
    """Read and validate a TOML case file (the read and validate stages; no mesh is built).

    Raises:
        CaseError: the file is missing, unreadable, not UTF-8 text, not TOML, or an
            invalid case.
    """
    path = Path(path)
    if path.is_dir():
        raise CaseError(f"case file {path} is a folder, not a file")
    if not path.is_file():
        raise CaseError(f"case file not found: {path}")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CaseError(f"cannot read the case file: {e.strerror or e}", str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CaseError(
            f"not a text file (not UTF-8: byte {e.start} is 0x{raw[e.start]:02x}); a case "
            "file is TOML text",
            str(path),
        ) from None
    if "\0" in text:
        raise CaseError(
            "not a text file (it contains NUL bytes); a case file is TOML text", str(path)
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CaseError(f"not valid TOML: {e}", str(path)) from None
    return parse_case(
        data, base_dir=path.resolve().parent, source=str(path), default_name=path.stem
    )
