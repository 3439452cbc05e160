"""Panopto in the admin, by page: the registration and the licence (`registration`), the
folders and their links (`folders`), and the words of what a launch sends (`words`), which the
platform's launch records show too. Importing the package registers them all."""

from panopto_link.admin import folders, jobs, registration, words

__all__ = ["folders", "jobs", "registration", "words"]
