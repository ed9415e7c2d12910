"""Authors' check functions from an exercise's ``checks.py``, run in the trusted grader.

A check is called as ``check(answer, lake)``: the learner's exported answer,
already plain Python or a pandas DataFrame, and the grader's read-only lake
connection. It returns ``True``/``False``, a fraction from 0 to 1 for partial
credit, or either of those paired with a message for the learner.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from typing import Any

from app.grading.exercises.authored import Exercise

Check = Callable[[Any, Any], Any]


class CheckError(Exception):
    """The author's check is missing, broken, or returned something it should not."""


def load_check(exercise: Exercise, name: str) -> Check:
    """The function ``name`` from the exercise's checks.py, loaded afresh."""
    path = exercise.checks_file
    if not path.is_file():
        raise CheckError(f"checks.py is missing, but a question's check is {name!r}")
    module_name = "academy_checks_" + re.sub(r"\W", "_", exercise.id)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise CheckError("checks.py cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # an author's file: any error is a problem to report
        raise CheckError(f"checks.py cannot be imported: {type(error).__name__}: {error}") from None
    check = getattr(module, name, None)
    if not callable(check):
        raise CheckError(f"checks.py has no function {name!r}")
    return check


def _fraction(value: Any) -> float:
    """A check's score as a fraction from 0 to 1; CheckError for anything else."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float) and 0 <= value <= 1:
        return float(value)
    raise CheckError(f"a check must return True/False or a fraction from 0 to 1, not {value!r}")


def interpret(returned: Any) -> tuple[float, str]:
    """A check's return value as (fraction of the points, message)."""
    if isinstance(returned, tuple) and len(returned) == 2 and isinstance(returned[1], str):
        return _fraction(returned[0]), returned[1].strip()
    return _fraction(returned), ""


def run_check(check: Check, answer: Any, lake: Any) -> tuple[float, str]:
    """Call the check on the learner's answer: (fraction, message).

    An exception raised while checking is reported by type only: its text
    could quote the check's code or the expected values.
    """
    try:
        returned = check(answer, lake)
    except CheckError:
        raise
    except Exception as error:
        return 0.0, f"your answer could not be checked ({type(error).__name__})"
    fraction, message = interpret(returned)
    if not message:
        message = "correct" if fraction >= 1 else "not right yet"
    return fraction, message
