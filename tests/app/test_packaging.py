"""The app works from an installed wheel, not only from a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SMOKE = """
import tempfile
from survey import create_app, migrations, resource_dir
assert "_templates" in str(resource_dir("templates")), resource_dir("templates")
instance = tempfile.mkdtemp()
url = f"sqlite:///{instance}/survey.db"
migrations.upgrade(url)
app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance})
page = app.test_client().get("/login")
assert page.status_code == 200, page.status_code
assert app.test_client().get("/static/app.css").status_code == 200
print("ok")
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return next(out.glob("survey-*.whl"))


def test_wheel_carries_templates_questionnaires_migrations_and_catalogs(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "survey/_templates/_layouts/base.html" in names
    assert "survey/_templates/errors/error.html" in names
    assert any(name.startswith("survey/_questionnaires/") for name in names)
    assert "survey/migrations/env.py" in names
    assert any(name.startswith("survey/migrations/versions/") for name in names)
    assert "survey/static/app.css" in names
    assert "survey/demo/zaozhuang-city-agencies.csv" in names
    assert "survey/reports/official.docx" in names  # the Word documents' template
    assert any(name.startswith("analysis/") for name in names)
    assert not any(name.startswith("tests/") for name in names)


def test_installed_wheel_migrates_and_serves(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [sys.executable, "-c", SMOKE],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")
