"""What a page shows of a run is made once and kept (``run_renderings``): a run never changes,
so its charts, its condensed ranking and each agency's explanation are read back afterwards
instead of being drawn again or parsed from the run's whole JSON document."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.results.models import RunRendering


def read_kept(session: Session, run_id: int, names: list[str]) -> dict[str, str]:
    """The run's renderings among ``names`` that are already stored, in one query: a page
    made of several kept parts reads them together, then passes them as ``found``."""
    return dict(
        session.execute(
            select(RunRendering.name, RunRendering.body).where(
                RunRendering.run_id == run_id, RunRendering.name.in_(names)
            )
        ).all()
    )


def kept(
    session: Session,
    run_id: int,
    name: str,
    make: Callable[[], str],
    found: dict[str, str] | None = None,
) -> str:
    """The run's rendering ``name``, made by ``make()`` and stored the first time (taken from
    ``found``, the result of ``read_kept``, when it is there).

    Stored in a savepoint and committed at once: a page that only reads still keeps it, and
    two first requests at the same moment keep one row (the other's insert is refused by the
    unique key and its text, the same, is used).
    """
    if found is not None and name in found:
        return found[name]
    body = session.scalar(
        select(RunRendering.body).where(RunRendering.run_id == run_id, RunRendering.name == name)
    )
    if body is not None:
        return body
    body = make()
    try:
        with session.begin_nested():
            session.add(RunRendering(run_id=run_id, name=name, body=body))
    except IntegrityError:
        pass
    session.commit()
    return body


def kept_json(
    session: Session,
    run_id: int,
    name: str,
    make: Callable[[], object],
    found: dict[str, str] | None = None,
):
    text = kept(
        session,
        run_id,
        name,
        lambda: json.dumps(make(), ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        found,
    )
    return json.loads(text)


def own_explanation(session: Session, run, agency_id: int) -> dict:
    """One agency's entry of the run's document, kept apart the first time it is read."""

    def make():
        document = run.result_data()
        entry = next(a for a in document["agencies"] if a["agency_id"] == agency_id)
        return {"agency": entry, "item_texts": document["item_texts"]}

    return kept_json(session, run.id, f"agency:{agency_id}", make)
