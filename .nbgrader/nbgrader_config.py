# nbgrader configuration of the course. Run nbgrader from this folder:
#   cd .nbgrader && nbgrader generate_assignment 03
# Assignments are the lessons ("01", "02", ...). The source notebooks are the ones
# `autograder build` writes beside the solutions (solutions/NN/<module>.ipynb); release,
# submitted, autograded and feedback folders and the gradebook are made here.
import os

c = get_config()  # noqa: F821 (given by nbgrader when it reads this file)

here = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "makemore-autograded"
c.CourseDirectory.root = here
c.CourseDirectory.source_directory = os.path.join("..", "solutions")
# only the notebook of a lesson: never the solution module beside it
c.CourseDirectory.include = ["*.ipynb"]
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook.db")

# A released solution becomes this stub; todo_message() names the TODO from the
# "# TODO k:" comment above it, like the skeleton's NotImplementedError.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError(todo_message())",
}

# Autograding: seconds a cell may run (the slowest checks train a small model for up to
# a few minutes); a cell that takes longer is interrupted and scores 0, the rest still run.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True

# Every check is visible to students (there are no hidden tests): feedback shows each
# check cell's messages. Keep extra, hidden checks outside the repository and grade with
# `autograder grade --checks FILE`.
c.ClearHiddenTests.enforce_metadata = True

# `nbgrader zip_collect NN`: files in downloaded/NN/archive/ named <student>_<module>.ipynb
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.FileNameCollectorPlugin"
# (nbgrader matches the whole path: the folders before the name are skipped)
c.FileNameCollectorPlugin.named_regexp = (
    r"^(?:.*[/\\])?(?P<student_id>[^/\\_]+)_(?P<file_id>[^/\\]+\.ipynb)$")
