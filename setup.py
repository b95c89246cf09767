"""Packaging: everything else is in pyproject.toml.

The top-level data folders (templates/, questionnaires/) are not Python packages; they are
mapped into the wheel as ``survey/_templates`` and ``survey/_questionnaires`` so that an
installed app finds them (``survey.resource_dir``).
"""

from setuptools import find_packages, setup

DATA_FOLDERS = {"survey._templates": "templates", "survey._questionnaires": "questionnaires"}

setup(
    packages=find_packages(include=["survey", "survey.*", "analysis", "analysis.*"])
    + list(DATA_FOLDERS),
    package_dir=DATA_FOLDERS,
    package_data={
        "survey": [
            "migrations/script.py.mako",
            "migrations/versions/*.py",
            "translations/*.pot",
            "translations/*/LC_MESSAGES/*",
            "static/*",
            "demo/*.csv",
            "accounts/*.txt",
            "reports/*.docx",
        ],
        "survey._templates": ["**/*.html"],
        "survey._questionnaires": ["**/*.yaml", "**/*.md"],
    },
    include_package_data=False,
)
