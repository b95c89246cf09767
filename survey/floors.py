"""The order of features: floors, lowest first. A module imports only from its own floor or
the floors below it, and packages on one floor never import each other in a cycle
(tests/app/test_layers.py reads every module under survey/ and holds this).

A new package (or a new top-level module) gets a floor here before it passes that test. A new
feature goes on the lowest floor that holds everything it needs, and above nothing that needs
it: a feature that reads targets and responses sits above both.

Why this order:

- The core is what every feature uses and that knows no feature: the database base and types,
  errors, the clock, form helpers, the portals' guards, the audit log's writer.
- ``charts`` draws charts from plain numbers and labels (no database), so that the scores'
  pages, the reports and anything else can use one renderer.
- ``agencies`` (jurisdictions, agencies, sections) is the tree everything hangs on, and is
  below ``accounts``: a user is placed in that tree (``users.agency_id``, ``jurisdiction_id``),
  while the tree knows nothing of users. The agencies' scoping helpers read only the user's
  ``jurisdiction_id`` and the portals' guards only its properties, so neither imports ``User``.
- ``audit`` reads the log (its writer is in the core, so accounts and agencies write to it);
  its pages show users and agencies, so it sits above both.
- ``workdays`` (the office's calendar of working days) counts deadlines for the features above.
- ``filings`` (work plan, summaries) is below ``targets``: the supervisor's page of an
  agency's targets shows its filings, and filings need nothing of targets.
- ``scores`` (the year's scoring runs) reads the assessment inputs; ``reports`` and
  ``followup`` (rectification, calendar, special supervision) read the scores, beside each
  other.
- ``results`` shows a run to the people it concerns (the dashboard, its charts, publication
  to the agencies and their objections); it reads the scores and sits below the reports.
- The app floor assembles the rest: the factory, the blueprint list, the model registry the
  migrations read, the CLI, the home pages (a summary of every feature) and the demo data.
"""

from __future__ import annotations

# Each floor: its name and the top-level names under survey/ (a package, or a module without
# its .py) that stand on it. "survey" is the package's own __init__.py.
FLOORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "core",
        (
            "accesslog",
            "actions",
            "auditing",
            "clock",
            "config",
            "db",
            "errors",
            "extensions",
            "floors",
            "forms",
            "headers",
            "i18n",
            "inputs",
            "logs",
            "numbers",
            "portals",
            "resources",
            "signing",
            "spreadsheets",
            "templating",
            "throttle",
            "types",
        ),
    ),
    ("charts", ("charts",)),
    ("agencies", ("agencies",)),
    ("accounts", ("accounts",)),
    ("audit", ("audit",)),
    ("workdays", ("workdays",)),
    ("evidence", ("evidence",)),
    ("years", ("years",)),
    ("filings", ("filings",)),
    ("targets", ("targets",)),
    ("verification", ("verification",)),
    ("indicators", ("indicators",)),
    ("questionnaires", ("questionnaires",)),
    ("campaigns", ("campaigns",)),
    ("responses", ("responses",)),
    ("assessment", ("assessment",)),
    ("scores", ("scores",)),
    ("results", ("results",)),
    ("reports and follow-up", ("reports", "followup")),
    ("app", ("survey", "backups", "cli", "demo", "features", "home", "migrations", "models")),
)
