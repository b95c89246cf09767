"""analysis/ is a pure statistics library: no web, database or app imports."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, pkgutil, importlib, sys
import analysis
light = sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'scipy', 'numpy'))
for info in pkgutil.iter_modules(analysis.__path__):
    importlib.import_module('analysis.' + info.name)
from analysis import evaluate, Evaluation, EvaluationConfig
from analysis.synthetic import synthetic_year
r, i, a, _ = synthetic_year(6, 200, n_deputies=5, n_grassroots=8, grassroots_per_unit=3)
evaluate(r, i, EvaluationConfig().replace(bootstrap={'replicates': 10}), agencies=a)
bad = sorted(m for m in sys.modules
             if m.split('.')[0] in ('flask', 'sqlalchemy', 'survey', 'flask_sqlalchemy'))
print(json.dumps({'bad': bad, 'light': light}))
"""


def test_analysis_imports_no_web_database_or_app_code():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["bad"] == []
    assert result["light"] == []  # `import analysis` alone loads nothing heavy
