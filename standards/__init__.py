"""Service standards: the catalogue with its versions, and staff knowledge quizzes."""
