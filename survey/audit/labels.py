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
    "login.success": _l("Logged in"),
    "login.failure": _l("Failed login"),
    "login.delayed": _l("Login attempt refused: wait after wrong passwords"),
    "logout": _l("Logged out"),
    "export": _l("Downloaded (an export or an evidence file)"),
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
    "scores.compute": _l("Scores computed (new run)"),
    "scores.finalise": _l("Scoring run marked final"),
    "scores.item_add": _l("Bonus or deduction item recorded"),
    "scores.item_reverse": _l("Bonus or deduction item reversed"),
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
    "results.publish": _l("Scoring run published to the agencies"),
    "results.object": _l("Objection to a published result filed (复核申请)"),
    "results.decide": _l("Objection decided"),
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
    "scoring_runs": _l("Scoring run"),
    "score_items": _l("Bonus or deduction item"),
    "duty_findings": _l("Duty finding"),
    "indicator_imports": _l("Public-indicator import"),
    "calendar_years": _l("Calendar year"),
    "calendar_days": _l("Calendar day"),
    "rectification_items": _l("Rectification item"),
    "special_cases": _l("Special-supervision case"),
    "special_case_findings": _l("Special-supervision finding"),
    "escalations": _l("Admonition or public criticism"),
    "linkage_notices": _l("Linkage notice"),
    "objections": _l("Objection (复核申请)"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def entity_label(code: str) -> str:
    return str(ENTITY_LABELS.get(code, code))


# What the audit screen calls the fields of the records' snapshots (``before``/``after``).
FIELD_LABELS = {
    "name": _l("Name"),
    "short_name": _l("Short name"),
    "kind": _l("Kind"),
    "state": _l("State"),
    "status": _l("Status"),
    "title": _l("Title"),
    "text": _l("Text"),
    "reason": _l("Reason"),
    "username": _l("User name"),
    "display_name": _l("Name shown"),
    "role": _l("Role"),
    "is_active": _l("Account in use"),
    "is_business": _l("Business section"),
    "deleted_at": _l("Deleted on"),
    "agency_id": _l("Agency"),
    "section_id": _l("Section"),
    "target_id": _l("Target"),
    "jurisdiction_id": _l("Jurisdiction"),
    "parent_id": _l("Higher jurisdiction"),
    "visit_id": _l("On-site visit"),
    "case_id": _l("Special-supervision case"),
    "year": _l("Year"),
    "category": _l("Target category"),
    "duty": _l("Kind of duty"),
    "basis": _l("Basis"),
    "standard": _l("Quantified standard"),
    "leader": _l("Leader in charge"),
    "deadline": _l("Deadline"),
    "expected_outcome": _l("Expected outcome"),
    "oversight": _l("Oversight level"),
    "entry_date": _l("Date of the entry"),
    "percent": _l("Progress in per cent"),
    "completed_on": _l("Completed on"),
    "outcome": _l("Outcome"),
    "self_score": _l("Self-assessed score"),
    "files": _l("Evidence files"),
    "due_on": _l("Due on"),
    "points": _l("Points"),
    "severity": _l("Severity"),
    "recipient": _l("Sent to"),
    "sent_on": _l("Sent on"),
    "visited_on": _l("Visited on"),
    "people": _l("People"),
    "methods": _l("Methods"),
    "summary": _l("Summary"),
    "findings": _l("Findings"),
    "description": _l("Description"),
    "original_score": _l("Score before"),
    "adjusted_score": _l("Adjusted score"),
    "excluded": _l("Excluded"),
    "filename": _l("File name"),
    "number": _l("Number"),
    "matter": _l("Matter"),
    "approved_by": _l("Approved by"),
    "approved_on": _l("Approved on"),
    "document_number": _l("Document number"),
    "start_on": _l("Starts on"),
    "held_on": _l("Held on"),
    "input_checksum": _l("Checksum of the inputs"),
    "reverses": _l("Reverses item"),
    "item_ids": _l("Items"),
    "agency_ids": _l("Agencies"),
    "origin": _l("Origin"),
    "procedure": _l("Procedure"),
    "file_sha256": _l("File checksum"),
}

# Stored codes people read as words (enum values of the features' records, worded as the
# features word them); a code that means different things in two fields is keyed by field.
VALUE_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "returned": _l("Returned"),
    "rejected": _l("Rejected"),
    "pending": _l("Pending"),
    "done": _l("Completed"),
    "in_progress": _l("In progress"),
    "issued": _l("Issued to the agency"),
    "acknowledged": _l("Acknowledged (签收)"),
    "cancelled": _l("Cancelled"),
    "reopened": _l("Reopened: recurred"),
    "verified": _l("Verified"),
    "absence": _l("Absence (缺位)"),
    "overreach": _l("Overreach (越位)"),
    "misplacement": _l("Misplacement (错位)"),
    "admonition": _l("Admonition talk (约谈)"),
    "public_criticism": _l("Public criticism (通报批评)"),
    "notification": _l("Notification (情况通报)"),
    "information": _l("Information sharing (信息共享)"),
    "clue_referral": _l("Clue referral (线索移送)"),
    "work_plan": _l("Work plan (工作要点)"),
    "half_year": _l("Half-year summary (半年总结)"),
    "year_end": _l("Year-end summary (年终总结)"),
    "minor": _l("Minor"),
    "moderate": _l("Moderate"),
    "discipline": _l("Discipline inspection and supervision (纪检监察)"),
    "inspection": _l("Inspection tours (巡察)"),
    "finance": _l("Finance (财政)"),
    "audit": _l("Audit (审计)"),
    "key": _l("Key supervision by the Party committee and government"),
    "internal": _l("Internal supervision"),
    "supervisor": _l("Supervisor (编办)"),
    "viewer": _l("Viewer"),
    "agency_editor": _l("Agency editor"),
    "agency_leader": _l("Agency leader"),
    "party": _l("Party organ"),
    "congress": _l("People's congress organ"),
    "government": _l("Administrative organ"),
    "cppcc": _l("CPPCC organ"),
    "court": _l("Judicial organ"),
    "procuratorate": _l("Procuratorial organ"),
    "mass_organization": _l("Mass organization"),
    "party_government": _l("Key work of the Party committee and government"),
    "core_duty": _l("Core duties (主责主业)"),
    "system_task": _l("Key tasks within the system"),
    "coordination": _l("Coordination and cooperation"),
    "decision": _l("Decision (决策)"),
    "planning": _l("Planning (计划)"),
    "approval": _l("Approval (审批)"),
    "enforcement": _l("Enforcement (执法)"),
    "service": _l("Service (服务)"),
    "instruction": _l("A leader's instruction"),
    "briefing": _l("Hearing a briefing (听取介绍)"),
    "documents": _l("Reviewing documents (查阅资料)"),
    "observation": _l("Observation and questions (观摩问询)"),
    "forum": _l("Survey forum (调研座谈)"),
    ("duty", "supervision"): _l("Supervision (监督)"),
    ("recipient", "supervision"): _l("Government supervision (督查)"),
    ("category", "other"): _l("Other duties"),
    ("kind", "other"): _l("Other"),
}

HASH_LENGTH = 40  # a longer run of hex digits is a checksum: shown shortened


def field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))


def value_text(key: str, value) -> str:
    """One snapshot value as people read it: words for codes, 是/否, short checksums."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, list):
        return (
            ", ".join(value_text(key, each) for each in value)
            if len(value) <= 5
            else (str(_l("%(num)d items", num=len(value))))
        )
    if isinstance(value, dict):
        return str(_l("%(num)d fields", num=len(value)))
    if key.endswith("_id") and isinstance(value, int):
        return f"#{value}"
    text = str(value)
    if isinstance(value, str):
        label = VALUE_LABELS.get((key, value)) or VALUE_LABELS.get(value)
        if label is not None:
            return str(label)
    if len(text) >= HASH_LENGTH and all(c in "0123456789abcdef" for c in text.lower()):
        return text[:12] + "…"
    return text


def changes(before: dict | None, after: dict | None) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field that a change touched, in plain words: an
    edit lists what differs; a creation what was set; a deletion what was there."""
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    keys = [key for key in after if key not in before] + list(before)
    rows = []
    for key in dict.fromkeys(keys):
        old, new = before.get(key), after.get(key)
        if before and after and old == new:
            continue
        rows.append(
            (
                field_label(key),
                value_text(key, old) if key in before else "",
                value_text(key, new) if key in after else "",
            )
        )
    return rows
