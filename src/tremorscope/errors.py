"""Errors that the command line turns into one clear line and exit code 2."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """An input file that cannot be analysed, with the file and the problem named.

    Parameters
    ----------
    path : str or Path
        The file at fault.
    problem : str
        What is wrong with it, in words a user can act on.

    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class OptionError(InputError):
    """A value given on the command line that cannot be used, named with its option.

    Reported like :class:`InputError`, as ``OPTION VALUE: problem`` (e.g. ``--report r.pdf:
    must end .html or .htm``), before any work starts.

    Parameters
    ----------
    option : str
        The option, e.g. ``"--report"``.
    value : str or Path
        The value given (``path`` of the error).
    problem : str
        What is wrong with it.

    """

    def __init__(self, option: str, value: str | Path, problem: str) -> None:
        super().__init__(value, problem)
        self.option = option
        self.args = (f"{option} {self.path}: {problem}",)

    def __str__(self) -> str:
        return self.args[0]
