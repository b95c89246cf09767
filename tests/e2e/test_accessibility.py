"""Accessibility in the browser: axe-core (vendored, tests/e2e/vendor/README.md) injected by
Playwright into Debian's Chromium on every respondents' page and on one page of each staff
feature, over the demo data; no violation of impact "serious" or "critical" is allowed, and
the staff pages do not scroll sideways on a phone (390 px). The respondents' pages are also
read at 200 % (page zoom: a 195 px wide layout viewport; text zoom: the root font doubled)
and must not scroll sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from survey.agencies.models import Agency
from survey.campaigns.links import hash_token, new_token
from survey.campaigns.models import Campaign, CampaignState, Token
from survey.questionnaires.models import QuestionnaireVersion
from survey.scores.models import ScoringRun
from survey.years.models import AssessmentYear
from tests.e2e.conftest import WECHAT_UA

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + n.html.slice(0, 120)),
  }));
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def demo(live):
    """The demo data (as `make demo` loads it) on the live server, with one unused code of
    the deputies' survey."""
    app, session, base = live
    from survey.demo import loader, scores

    with app.app_context():
        loader.load(session)
        session.commit()
        year = session.scalar(select(AssessmentYear).where(AssessmentYear.year == 2026))
        scores.score(session, year.id)
        campaigns = session.scalars(select(Campaign).order_by(Campaign.id)).all()
        deputies = next(c for c in campaigns if c.respondent_group == "deputy")
        token = new_token()
        session.add(Token(campaign_id=deputies.id, token_hash=hash_token(token)))
        session.commit()
        public = next(c for c in campaigns if c.respondent_group == "public")
        ids = {
            "public": public.code,
            "public_id": public.id,
            "link": public.campaign_agencies[0].code,
            "deputies": deputies.code,
            "deputies_id": deputies.id,
            "closed": next(c for c in campaigns if c.state is CampaignState.closed).code,
            "token": token,
            "year": year.id,
            "agency": session.scalar(select(Agency.id).where(Agency.name == "枣庄市教育局")),
            "version": session.scalar(select(QuestionnaireVersion.id)),
            "run": session.scalar(select(ScoringRun.id).order_by(ScoringRun.id.desc())),
        }
    return base, ids


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def check(page, url: str, found: dict) -> None:
    response = page.goto(url)
    assert response.status < 500, url
    blocking = violations(page)
    if blocking:
        found[url] = blocking


def no_sideways_scroll(page, url: str) -> None:
    page.goto(url)
    page.set_viewport_size({"width": 195, "height": 422})  # 390 px at 200 % page zoom
    assert page.evaluate(OVERFLOW) <= 0, f"{url} scrolls sideways at 200 % page zoom"
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("() => { document.documentElement.style.fontSize = '225%'; }")  # 2 × 18 px
    assert page.evaluate(OVERFLOW) <= 0, f"{url} scrolls sideways at 200 % text zoom"


def test_respondents_pages_pass_axe_and_reflow_at_200_percent(demo, browser):
    base, ids = demo
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
        locale="zh-CN",
        bypass_csp=True,  # the pages' CSP forbids inline scripts, axe among them
    )
    page = context.new_page()
    found: dict = {}
    answer = f"{base}/A/{ids['link']}"
    pages = [
        f"{base}/S/{ids['public']}",
        f"{base}/S/{ids['public']}?q=教育",
        answer,
        f"{base}/S/{ids['public']}/done",
        f"{base}/S/{ids['deputies']}",
        f"{base}/S/{ids['closed']}",
        f"{base}/T/{'A' * 26}",
        f"{base}/login",
    ]
    for url in pages:
        check(page, url, found)
        no_sideways_scroll(page, url)
    # a failed submit: the error summary at the top
    page.goto(answer)
    page.locator('button[type="submit"].primary').click()
    assert page.locator(".error-summary").is_visible()
    errors_url = page.url
    blocking = violations(page)
    if blocking:
        found["answer with errors"] = blocking
    no_sideways_scroll(page, errors_url)
    # the deputies' sitting: overview, an agency's page, the overview with a submit button
    page.goto(f"{base}/T/{ids['token']}")
    sitting = page.url
    check(page, sitting, found)
    no_sideways_scroll(page, sitting)
    page.goto(sitting)
    page.get_by_role("link", name="开始评价").click()
    agency_page = page.url
    check(page, agency_page, found)
    no_sideways_scroll(page, agency_page)
    page.goto(agency_page)
    for radio in page.locator('.scale input[value="4"]').all():
        radio.check()
    page.locator('button[type="submit"].primary').click()
    check(page, sitting, found)
    assert page.locator("#submit-top").is_visible()
    # the large-text mode: 60 px tap targets
    page.goto(f"{base}/text-size/large?next=/A/{ids['link']}")
    check(page, answer, found)
    no_sideways_scroll(page, answer)
    page.goto(answer)
    heights = page.evaluate(
        "() => [...document.querySelectorAll('label.tap, button')]"
        ".map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 60
    context.close()
    assert found == {}, found


def test_respondents_tap_targets_and_type_follow_the_miit_rules(demo, browser):
    base, ids = demo
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/A/{ids['link']}")
    sizes = page.evaluate(
        """() => {
      const px = e => parseFloat(getComputedStyle(e).fontSize);
      const lh = e => parseFloat(getComputedStyle(e).lineHeight) / px(e);
      const box = e => e.getBoundingClientRect();
      const taps = [...document.querySelectorAll('label.tap, button, a.choice')];
      const body = document.querySelector('.intro');
      return {text: px(body), line: lh(body),
              tapHeight: Math.min(...taps.map(e => box(e).height)),
              tapWidth: Math.min(...taps.map(e => box(e).width)),
              label: Math.min(...[...document.querySelectorAll('label.tap span')].map(px))};
    }"""
    )
    assert sizes["text"] >= 18 and sizes["label"] >= 18
    assert sizes["line"] >= 1.3
    assert sizes["tapHeight"] >= 44 and sizes["tapWidth"] >= 44
    context.close()


def test_one_page_of_each_staff_feature_passes_axe(demo, browser):
    base, ids = demo
    found: dict = {}
    for viewport in ({"width": 1366, "height": 900}, {"width": 390, "height": 844}):
        context = browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=True)
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill('input[name="username"]', "bianban")
        page.fill('input[name="password"]', "demo-pass-2026")
        page.locator('main button[type="submit"]').click()
        page.wait_for_url(f"{base}/admin/")
        year, agency = ids["year"], ids["agency"]
        staff = [
            "/admin/",
            "/admin/agencies/",
            f"/admin/agencies/{agency}",
            "/admin/jurisdictions/",
            "/admin/years/",
            f"/admin/years/{year}",
            "/admin/targets/",
            f"/admin/targets/agency/{agency}/year/{year}",
            f"/admin/verification/agency/{agency}/year/{year}",
            f"/admin/verification/agency/{agency}/year/{year}/visits/new",
            f"/admin/indicators/{year}",
            f"/admin/assessment/{year}/inputs",
            "/admin/questionnaires/",
            "/admin/campaigns/",
            "/admin/campaigns/new",
            f"/admin/campaigns/{ids['public_id']}",
            f"/admin/campaigns/{ids['deputies_id']}",  # its tokens
            "/admin/results/",
            f"/admin/results/{ids['public_id']}",
            f"/admin/results/{ids['public_id']}/flags",
            f"/admin/results/years/{year}",
            f"/admin/scores/years/{year}",
            f"/admin/scores/runs/{ids['run']}",
            "/admin/followup/",
            "/admin/escalations/",
            "/admin/linkage/",
            "/admin/special/",
            "/admin/users/",
            "/admin/audit/",
            "/admin/calendar/",
        ]
        for path in staff:
            check(page, base + path, found)
            if viewport["width"] == 390:
                brand = page.locator("header.top .brand").bounding_box()
                assert brand["width"] > 100, f"{path}: the header squeezes the brand"
                # a wide table scrolls in its own box (_macros/tables.html), never the page
                width = page.evaluate("() => document.documentElement.scrollWidth")
                assert width <= 390, f"{path} scrolls sideways on a phone ({width} px)"
        context.close()
    # the agency portal
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill('input[name="username"]', "fgw-editor")
    page.fill('input[name="password"]', "demo-pass-2026")
    page.locator('main button[type="submit"]').click()
    for path in ("/agency/", "/agency/targets/", "/agency/filings/", "/agency/followup/"):
        check(page, base + path, found)
    context.close()
    assert found == {}, found
