"""Modules that import only the standard library and NumPy.

They are used by the course and copied as they are into the grading sandbox, where
the rest of ``course_utils`` (which holds the reference answers) is not importable:
``functions`` (sigmoid, forward pass, losses), ``gradcheck`` (finite differences),
``testfunctions`` (scalar test functions sent to learners' code as plain data) and
``wire`` (the grader <-> sandbox protocol).
"""
