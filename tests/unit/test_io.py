"""Atomic output files: complete or absent, with a new file's permissions."""

import os
import stat

import pytest

from fe_interface.io.files import atomic_file, write_bytes, write_text


def _mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


def test_permissions_and_content(tmp_path):
    umask = os.umask(0o022)
    try:
        write_text(tmp_path / "a" / "x.csv", "t_s,T_K\n0,300\n")
        write_bytes(tmp_path / "y.npz", b"\x00\x01", fsync=True)
    finally:
        os.umask(umask)
    assert (tmp_path / "a" / "x.csv").read_text() == "t_s,T_K\n0,300\n"
    assert _mode(tmp_path / "a" / "x.csv") == 0o644  # not mkstemp's 0o600
    assert _mode(tmp_path / "y.npz") == 0o644


def test_failure_leaves_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "summary.json"
    write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_file(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]
