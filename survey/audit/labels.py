"""What the audit screen calls each action and record type. The log stores stable codes
(``agency.delete``, ``agencies``); people read these labels. A code without a label (a
feature added later that has not named its actions yet) is shown as it is."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "jurisdiction.create": _l("Jurisdiction created"),
    "jurisdiction.update": _l("Jurisdiction renamed"),
    "agency.create": _l("Agency created"),
    "agency.update": _l("Agency edited"),
    "agency.delete": _l("Agency deleted"),
    "agency.restore": _l("Agency restored"),
    "section.create": _l("Section added"),
    "section.update": _l("Section edited"),
    "section.delete": _l("Section removed"),
    "user.create": _l("Account created"),
    "user.update": _l("Account edited"),
    "user.activate": _l("Account reactivated"),
    "user.deactivate": _l("Account deactivated"),
    "user.reset_password": _l("One-time password set"),
    "user.change_password": _l("Own password changed"),
    "year.create": _l("Year created"),
    "year.configure": _l("Year configured"),
    "year.open": _l("Year opened"),
    "year.close": _l("Year closed"),
    "response.review": _l("Flagged response reviewed"),
    "responses.import": _l("Questionnaires imported"),
    "target.create": _l("Target drafted"),
    "target.update": _l("Target edited"),
    "target.withdraw": _l("Target withdrawn"),
    "target.adjust": _l("Approved target changed by adjustment"),
    "targets.submit": _l("Targets submitted"),
    "targets.approve": _l("Targets approved"),
    "targets.return": _l("Targets returned"),
    "adjustment.request": _l("Adjustment requested"),
    "adjustment.approve": _l("Adjustment approved"),
    "adjustment.reject": _l("Adjustment rejected"),
    "ledger.add": _l("Progress recorded"),
    "assessment.create": _l("Self-assessment written"),
    "assessment.update": _l("Self-assessment edited"),
    "assessment.submit": _l("Self-assessment submitted"),
    "filing.create": _l("Filing drafted"),
    "filing.update": _l("Filing edited"),
    "filing.submit": _l("Filing submitted"),
    "visit.record": _l("On-site visit recorded"),
    "score.adjust": _l("Score adjusted"),
    "duty_finding.record": _l("Duty finding recorded"),
    "indicators.import": _l("Public-indicator scores imported"),
    "calendar.import": _l("Holiday notice imported"),
    "calendar.correct": _l("Calendar day corrected"),
    "rectification.issue": _l("Rectification item issued"),
    "rectification.acknowledge": _l("Rectification item acknowledged"),
    "rectification.progress": _l("Rectification progress reported"),
    "rectification.submit": _l("Rectification submitted for verification"),
    "rectification.return": _l("Rectification returned"),
    "rectification.verify": _l("Rectification verified"),
    "rectification.close": _l("Rectification item closed"),
    "rectification.review_held": _l("Rectification review: held"),
    "rectification.review_recurred": _l("Rectification review: reopened"),
    "rectification.cancel": _l("Rectification item cancelled"),
    "rectification.remind": _l("Rectification reminder sent"),
    "rectification.extension_request": _l("Extension requested"),
    "rectification.extension_approve": _l("Extension approved"),
    "rectification.extension_reject": _l("Extension refused"),
    "special.open": _l("Special supervision opened"),
    "special.finding": _l("Special supervision finding recorded"),
    "special.conclude": _l("Special supervision concluded"),
    "escalation.record": _l("Admonition or public criticism recorded"),
    "linkage.record": _l("Linkage notice recorded"),
}

ENTITY_LABELS = {
    "jurisdictions": _l("Jurisdiction"),
    "agencies": _l("Agency"),
    "sections": _l("Section"),
    "users": _l("User"),
    "assessment_years": _l("Assessment year"),
    "responses": _l("Response"),
    "campaigns": _l("Campaign"),
    "target_sets": _l("Target set"),
    "targets": _l("Target"),
    "target_adjustments": _l("Adjustment request"),
    "ledger_entries": _l("Progress entry"),
    "self_assessments": _l("Self-assessment"),
    "filings": _l("Filing"),
    "verification_visits": _l("On-site visit"),
    "score_adjustments": _l("Score adjustment"),
    "duty_findings": _l("Duty finding"),
    "indicator_imports": _l("Public-indicator import"),
    "calendar_years": _l("Calendar year"),
    "calendar_days": _l("Calendar day"),
    "rectification_items": _l("Rectification item"),
    "special_cases": _l("Special-supervision case"),
    "special_case_findings": _l("Special-supervision finding"),
    "escalations": _l("Admonition or public criticism"),
    "linkage_notices": _l("Linkage notice"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def entity_label(code: str) -> str:
    return str(ENTITY_LABELS.get(code, code))
