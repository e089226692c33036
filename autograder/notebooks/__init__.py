"""Lesson notebooks: generated from each lesson's files, released by nbgrader, checked by
the runner.

* :mod:`.source`: the nbgrader source notebook of a lesson (README, solution, checks);
* :mod:`.release`: the student notebook, released by ``nbgrader generate_assignment``;
* :mod:`.build`: both, for every lesson, among ``autograder build``'s outputs;
* :mod:`.cells`: what the notebook's cells call (check cells, TODO placeholders);
* :mod:`.extract`: a notebook submission as a module, for the sandboxed grader;
* :mod:`.project`: the repository's URL, from ``pyproject.toml``.

Importing this package (and :mod:`.cells`, :mod:`.extract`) loads only the standard
library: the kernel of a notebook and the grading sandbox import them.
"""
