"""Which feature blueprint hangs under which portal, in the feature order of STYLE rule 2."""

from survey.accounts.views import admin_users, auth, own_account
from survey.agencies.views import admin_agencies, admin_jurisdictions
from survey.assessment.views import admin_assessment
from survey.audit.views import admin_audit
from survey.campaigns.views import admin_campaigns
from survey.evidence.views import admin_evidence, agency_evidence
from survey.filings.views import agency_filings
from survey.followup.admin_views import admin_followup
from survey.followup.agency_views import agency_followup
from survey.followup.escalation_views import admin_escalations, admin_linkage
from survey.followup.special_views import admin_special
from survey.home.views import admin_home, agency_home, public_home
from survey.indicators.views import admin_indicators
from survey.questionnaires.views import admin_questionnaires
from survey.reports.views import admin_reports, agency_reports
from survey.responses.admin.views import admin_results
from survey.responses.public.views import respond
from survey.results.agency_views import agency_results
from survey.results.services import finalise_problem
from survey.results.views import admin_dashboard
from survey.scores.services import year_close_problem
from survey.scores.views import admin_scores
from survey.targets.admin_views import admin_targets
from survey.targets.agency_views import agency_targets
from survey.verification.views import admin_verification
from survey.workdays.views import admin_calendar
from survey.years.views import admin_years

FEATURE_BLUEPRINTS = [
    ("public", public_home),
    ("public", auth),
    ("public", respond),
    ("account", own_account),
    ("admin", admin_home),
    ("admin", admin_users),
    ("admin", admin_jurisdictions),
    ("admin", admin_agencies),
    ("admin", admin_years),
    ("admin", admin_targets),
    ("admin", admin_evidence),
    ("admin", admin_questionnaires),
    ("admin", admin_campaigns),
    ("admin", admin_results),
    ("admin", admin_indicators),
    ("admin", admin_verification),
    ("admin", admin_assessment),
    ("admin", admin_scores),
    ("admin", admin_audit),
    ("agency", agency_home),
    ("agency", agency_targets),
    ("agency", agency_filings),
    ("agency", agency_evidence),
    ("admin", admin_calendar),
    ("admin", admin_followup),
    ("agency", agency_followup),
    ("admin", admin_special),
    ("admin", admin_escalations),
    ("admin", admin_linkage),
    ("admin", admin_dashboard),
    ("agency", agency_results),
    ("admin", admin_reports),
    ("agency", agency_reports),
]

# Asked before an assessment year closes (each returns a message, or None): higher features
# hold rules about closing that the years feature, lower down, cannot import.
YEAR_CLOSE_CHECKS = [year_close_problem]
# Asked before a scoring run is marked final (each returns a message, or None): once a year
# has published, the objection window must have closed and every objection be decided.
RUN_FINALISE_CHECKS = [finalise_problem]
