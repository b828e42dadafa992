"""The errors fe_interface raises: one place, one hierarchy.

Every error names the item it is about (a key path, a file, a region, an interface) in
its first line.  The command line turns :class:`InputError` into exit status 2 and
:class:`SolverError` and :class:`OutputError` into exit status 1, without a traceback
(``fe-interface --debug`` or ``FE_INTERFACE_DEBUG=1`` shows it).

Under MPI an error must be raised on *every* rank, or the ranks that did not see it
wait forever in the next collective call.  Code that can fail on some ranks only (a
file read on rank 0, a check of local facets) goes through :func:`collective` /
:func:`agree`: the error found on any rank is raised on all of them, with the same
type and message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = [
    "FeInterfaceError",
    "InputError",
    "MeshError",
    "OutputBusyError",
    "OutputError",
    "SolverError",
    "TimeStepError",
    "agree",
    "collective",
    "on_rank0",
    "user_function",
]

T = TypeVar("T")


class FeInterfaceError(Exception):
    """Base class of the errors of this package."""


class InputError(FeInterfaceError, ValueError):
    """A problem definition is invalid; the message names the offending item."""


class MeshError(InputError):
    """A mesh, its tags or its physical names are not what the problem needs."""


class SolverError(FeInterfaceError, RuntimeError):
    """A linear or nonlinear solve failed, or its result failed a check.

    The message says how.
    """


class TimeStepError(SolverError):
    """The adaptive time step fell below ``dt_min`` (or a step could not be taken)."""


class OutputError(FeInterfaceError, OSError):
    """Result files could not be written (disk full, no permission, ...).

    The previous result set, if any, is left as it was. The message names the folder.
    """


class OutputBusyError(InputError):
    """The output (or checkpoint) folder is in use by another run (its lock is held)."""


# --------------------------------------------------------------------------------------
# errors made collective
# --------------------------------------------------------------------------------------
def _classes() -> dict[str, type[BaseException]]:
    out: dict[str, type[BaseException]] = {}
    todo: list[type[BaseException]] = [FeInterfaceError]
    while todo:
        c = todo.pop()
        out[c.__name__] = c
        todo.extend(c.__subclasses__())
    return out


def _rebuild(kind: str, message: str) -> BaseException:
    """An exception of the class named ``kind`` with ``message``.

    ``kind`` is one of this package's error classes; else :class:`FeInterfaceError`.
    """
    cls = _classes().get(kind)
    if cls is None:
        return FeInterfaceError(message)
    try:
        e = cls(message)
        if str(e) == message:
            return e
    except Exception:  # a constructor that takes other arguments
        pass
    return FeInterfaceError(message)


def describe(e: BaseException) -> str:
    """``str(e)``, or its type name for an exception without a message.

    Foreign exceptions (e.g. an ``OSError``) are prefixed with their type.
    """
    msg = str(e) or type(e).__name__
    if isinstance(e, FeInterfaceError):
        return msg
    return f"{type(e).__name__}: {msg}"


def agree(comm: Any, error: BaseException | None) -> None:
    """Collective: raise on every rank if any rank passes an error.

    The error of the lowest rank that has one is raised everywhere: the same class if it
    is one of this package's (else :class:`FeInterfaceError` with the type in the
    message); on the rank that had it, the original object.
    """
    if comm is None or comm.size == 1:
        if error is not None:
            raise error
        return
    mine = None if error is None else (type(error).__name__, describe(error))
    everyone = comm.allgather(mine)
    first = next((x for x in everyone if x is not None), None)
    if first is None:
        return
    if error is not None and everyone.index(first) == comm.rank:
        raise error
    raise _rebuild(*first)


@contextmanager
def collective(comm: Any) -> Iterator[None]:
    """Run a block that contains *no collective call* and may fail on some ranks.

    At its end the ranks agree (:func:`agree`): an error on any rank is raised on all.

    ``KeyboardInterrupt`` and ``SystemExit`` pass through unchanged.
    """
    err: BaseException | None = None
    try:
        yield
    except Exception as e:
        err = e
    agree(comm, err)


@contextmanager
def user_function(what: str) -> Iterator[None]:
    """Name the item whose user-given function (of x, T or t) fails inside this block.

    A foreign exception becomes the :class:`InputError` ``"{what} raised Type: message"``
    (``what`` names the item and the function, e.g. ``"heat flux on 'top': value(x)"``);
    this package's errors pass unchanged.  Not collective by itself: where the function is
    evaluated at one rank's points, put the block inside :func:`collective`.
    """
    try:
        yield
    except FeInterfaceError:
        raise
    except Exception as e:
        raise InputError(f"{what} raised {describe(e)}") from e


def on_rank0(
    comm: Any, fn: Callable[[], T], wrap: Callable[[BaseException], BaseException] | None = None
) -> T | None:
    """``fn()`` on rank 0 alone, its error raised on every rank.

    ``wrap`` turns a foreign exception into one of ours first.  Returns fn's value on
    rank 0, None elsewhere.
    """
    value: T | None = None
    err: BaseException | None = None
    if comm is None or comm.rank == 0:
        try:
            value = fn()
        except Exception as e:
            err = e if (wrap is None or isinstance(e, FeInterfaceError)) else wrap(e)
    agree(comm, err)
    return value
