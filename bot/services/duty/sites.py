"""Which site each deputy belongs to, for the duty record's reports (the console's
station report and deputy page, `liaison duty report`): the reception rota's
rule (services/reception/rota.pools), read in one place. Duty may import
reception; reception never imports duty."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Site
from ..reception import rota


def of_deputies(session: Session) -> tuple[list[Site], dict[int, Site]]:
    """The sites (by id), and deputy id -> the site whose pool they are in."""
    sites = list(session.scalars(select(Site).order_by(Site.id)))
    by_id = {x.id: x for x in sites}
    return sites, {d.id: by_id[site_id] for site_id, pool in rota.pools(session).items() for d in pool
                   if site_id in by_id}


def names(session: Session) -> dict[int, str]:
    """Deputy id -> their site's name."""
    return {deputy_id: site.name for deputy_id, site in of_deputies(session)[1].items()}
