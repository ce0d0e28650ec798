"""`liaison duty report` and `liaison duty nudge`: the "十个一" standing of every
deputy for a year (a Chinese table, --json, or the station's .xlsx), and the
monthly WeChat nudge the scheduler sends. Attached to the `duty` group in duty.py."""
from __future__ import annotations

import os
from datetime import date

import click

from ..extensions import current
from .context import needs_db, with_appcontext
from .output import echo_json, json_option

def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} 不是日期（格式 YYYY-MM-DD）") from None


@click.command("report")
@click.option("--year", type=click.IntRange(2000, 2100), metavar="年份", help="哪一年；默认今年。")
@click.option("--as-of", "as_of", metavar="日期", help="按这一天统计谁落后（YYYY-MM-DD）；默认今天。")
@click.option("--xlsx", "xlsx", metavar="文件", type=click.Path(dir_okay=False, writable=True),
              help="另存为站点报表（.xlsx）：落后名单、全部代表的完成情况、说明。")
@json_option
@with_appcontext
@needs_db
def report(year: int | None, as_of: str | None, xlsx: str | None, as_json: bool) -> None:
    """每位在职代表一年的“十个一”完成情况：应完成、已完成、是否落后。"""
    from ..services.calendar.local_time import BEIJING
    from ..services.duty import compliance, station_sheet
    from ..services.duty import sites
    from ..services.duty.desk import station_name
    from ..services.duty.items import ITEMS, SHORT_NAMES

    ext = current()
    today = ext.now().astimezone(BEIJING).date()
    when = _day(as_of) if as_of else today
    year = year or when.year
    with ext.Session() as session:
        rows = compliance.report(session, year, when)
        if xlsx:
            data = station_sheet.write(rows, station=station_name(session), year=year, as_of=when,
                                       sites=sites.names(session), scope="全部在职代表", now=ext.now())
            _save(xlsx, data)
    if as_json:
        echo_json([r.as_dict() for r in rows])
        return
    behind = [r for r in rows if r.behind]
    click.echo(f"{year} 年代表“十个一”完成情况（统计截至 {when.isoformat()}）："
               f"{len(rows)} 位代表，落后 {len(behind)} 位")
    click.echo("每格：已完成/全年应完成，带 ! 的是落后")
    # The name last: Chinese characters are two columns wide and would skew the cells after them.
    click.echo("编号    " + "".join(f"{SHORT_NAMES[i.kind]}   " for i in ITEMS) + "姓名")
    for r in rows:
        cells = [f"{s.done}/{s.required}{'!' if s.behind else ''}" for s in r.items]
        click.echo(f"{r.code:<8}" + "".join(f"{c:<7}" for c in cells) + r.name)
    if xlsx:
        click.echo(f"报表已保存：{xlsx}")


def _save(path: str, data: bytes) -> None:
    """Written whole or not at all; 0600, since it names deputies who are behind."""
    target = os.path.abspath(path)
    tmp = f"{target}.part"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, target)


@click.command("nudge")
@click.option("--today", "today", metavar="日期", help="按这一天发（YYYY-MM-DD）；默认今天。")
@json_option
@with_appcontext
@needs_db
def nudge(today: str | None, as_json: bool) -> None:
    """立即发每月履职提醒（与定时任务相同，定时任务只在每月第一个工作日发）：
    给“十个一”落后的已绑定微信的代表各发一条，每人每月只发一次。"""
    from ..jobs.tasks import duty_nudge

    done = duty_nudge(current(), _day(today) if today else None, at_once=True)
    if as_json:
        echo_json(done)
        return
    click.echo(f"{done['today']}：已发出 {len(done['sent'])} 条履职提醒；本月已提醒过 {len(done['already'])} 人；"
               f"落后但收不到微信（未绑定或已取消关注） {len(done['unreachable'])} 人；没有落后 {done['on_track']} 人")
    if done["unreachable"]:
        click.echo("收不到微信、请电话提醒：" + "、".join(done["unreachable"]))
