"""Which feature blueprint hangs under which portal, in the feature order of STYLE rule 2."""

from survey.accounts.views import admin_users, auth, own_account
from survey.agencies.views import admin_agencies, admin_jurisdictions, agency_home
from survey.audit.views import admin_audit
from survey.campaigns.views import admin_campaigns
from survey.home.views import admin_home, public_home
from survey.questionnaires.views import admin_questionnaires
from survey.responses.admin_views import admin_results
from survey.responses.respondent import respond
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
    ("admin", admin_questionnaires),
    ("admin", admin_campaigns),
    ("admin", admin_results),
    ("admin", admin_audit),
    ("agency", agency_home),
]
