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
