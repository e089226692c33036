"""Reference code that later lessons build on, generated from ``solutions/`` by
``autograder build`` (see ``autograder.build.GIVEN``). It is part of every edition of
the course, with or without ``solutions/``, so no lesson depends on a student's copy
of an earlier one.
"""
