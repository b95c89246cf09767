"""Loading the questionnaire files (``questionnaires/<slug>/v<N>.yaml``) as immutable versions.

Every file is read and checked before anything is written; one bad file loads nothing. A
version already in the database with the same content is skipped; one whose content differs is
an error (versions never change: make ``v<N+1>``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.questionnaires.models import Questionnaire, QuestionnaireVersion
from survey.questionnaires.schema import DefinitionError, parse_definition
from survey.resources import resource_dir

logger = logging.getLogger(__name__)

FILE_NAME = re.compile(r"v([1-9][0-9]*)\.yaml")


class LoadError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class LoadReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def content_hash(definition: dict) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_folder(folder: Path) -> list[tuple[str, dict]]:
    """Every questionnaire file under ``folder`` as (label, canonical definition dict)."""
    errors: list[str] = []
    found: list[tuple[str, dict]] = []
    for path in sorted(folder.glob("*/*.yaml")):
        label = f"{path.parent.name}/{path.name}"
        match = FILE_NAME.fullmatch(path.name)
        if match is None:
            errors.append(f"{label}: a questionnaire file is named v<N>.yaml")
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            definition = parse_definition(data, where=label)
        except yaml.YAMLError as error:
            errors.append(f"{label}: not valid YAML ({error})")
            continue
        except DefinitionError as error:
            errors.extend(error.errors)
            continue
        if definition.slug != path.parent.name or definition.version != int(match.group(1)):
            errors.append(
                f"{label}: slug and version must match the folder and file name "
                f"(found {definition.slug} v{definition.version})"
            )
            continue
        found.append((label, definition.to_dict()))
    if errors:
        raise LoadError(errors)
    return found


def load_all(session: Session, folder: Path | None = None) -> LoadReport:
    """Insert the versions that are not loaded yet; flush, never commit."""
    folder = Path(folder) if folder is not None else resource_dir("questionnaires")
    files = read_folder(folder)
    report = LoadReport()
    errors: list[str] = []
    for label, definition in files:
        questionnaire = session.scalar(
            select(Questionnaire).where(Questionnaire.slug == definition["slug"])
        )
        if questionnaire is None:
            questionnaire = Questionnaire(slug=definition["slug"], group=definition["group"])
            session.add(questionnaire)
            session.flush()
        elif questionnaire.group != definition["group"]:
            errors.append(f"{label}: group {definition['group']} differs from earlier versions")
            continue
        digest = content_hash(definition)
        existing = session.scalar(
            select(QuestionnaireVersion).where(
                QuestionnaireVersion.questionnaire_id == questionnaire.id,
                QuestionnaireVersion.number == definition["version"],
            )
        )
        if existing is not None:
            if existing.content_hash == digest:
                report.unchanged.append(label)
            else:
                errors.append(
                    f"{label}: version {definition['version']} is already loaded with other "
                    f"content; versions never change: save the new text as "
                    f"v{definition['version'] + 1}.yaml"
                )
            continue
        session.add(
            QuestionnaireVersion(
                questionnaire_id=questionnaire.id,
                number=definition["version"],
                title=definition["title"],
                definition=definition,
                content_hash=digest,
            )
        )
        report.loaded.append(label)
    if errors:
        raise LoadError(errors)
    session.flush()
    for label in report.loaded:
        logger.info("questionnaire %s loaded", label)
    return report
