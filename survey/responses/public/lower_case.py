"""Lower-case addresses of the respondents' links: a poster prints its link in lower case so
that people can type it (``campaigns.links.printed``); each redirects to the link's own
upper-case address (the QR codes' payload), where the page lives. A token's lower-case link
(``/t/<token>``) is answered by the token view itself (``open_link_views.token_link``): a
redirect here would carry the token into one more request line."""

from __future__ import annotations

from flask import redirect, url_for

from survey.responses.public import pages


@pages.respond.get("/s/<code>")
def campaign_link_typed(code: str):
    return redirect(url_for(".campaign_link", code=code.upper()), 301)


@pages.respond.get("/a/<code>")
def agency_link_typed(code: str):
    return redirect(url_for(".agency_link", code=code.upper()), 301)
