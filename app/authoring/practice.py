"""What a written technical module must offer besides its text: practice.

A module is technical unless its front matter says ``technical: false``. A
written technical module lists at least one graded exercise and has a lesson
notebook ``notebooks/<code lower>.ipynb``; conceptual modules and stubs need
neither.
"""

from __future__ import annotations

from pathlib import Path

from app.authoring.problems import Problem
from app.authoring.source import ModuleSource


def check_practice(modules: list[ModuleSource], notebooks: Path) -> list[Problem]:
    """Each written technical module's missing exercise or lesson notebook."""
    problems = []
    for module in modules:
        if module.is_stub or not module.technical:
            continue
        if not module.exercises:
            problems.append(
                Problem(
                    module.path,
                    module.line_of("exercises"),
                    f"written technical module {module.code} lists no exercise: add "
                    "`exercises: [folder-name]`, or say `technical: false`",
                )
            )
        lesson = notebooks / f"{module.code.lower()}.ipynb"
        if not lesson.is_file():
            problems.append(
                Problem(
                    module.path,
                    1,
                    f"written technical module {module.code} has no lesson notebook "
                    f"{notebooks.name}/{lesson.name}",
                )
            )
    return problems
