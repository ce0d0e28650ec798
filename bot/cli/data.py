"""Data commands: db, demo, tickets, qr, sandbox."""
from __future__ import annotations

import click
from sqlalchemy import select

from ..extensions import current
from .context import creates_instance, needs_db, ticket_or_fail, with_appcontext
from .output import echo_json, emit, json_option, list_options
from .ticket_export import export as tickets_export

# `demo seed` counts, in the order and words staff read them.
DEMO_LABELS = {"sites": "站点", "villages": "行政村", "natural_villages": "自然村", "activity_groups": "活动小组",
               "deputies": "代表", "mandates": "职务", "city": "其中市级", "county": "县级", "township": "乡级",
               "cross_serving": "交叉任职", "contact_links": "联系", "groups": "联系选民群", "voters": "选民"}
SCENE_KINDS = {"site": "站点", "group": "群", "deputy": "代表"}


def _padded(label: str, width: int = 4) -> str:
    """Pad to `width` terminal columns (a Chinese character takes two)."""
    return label + " " * max(0, width - sum(1 if c.isascii() else 2 for c in label))


@click.group()
def db() -> None:
    """数据库结构。"""


@creates_instance
@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """把数据库升级到最新结构（运行全部迁移）。"""
    from ..infra.migrate import upgrade

    upgrade(current().engine)
    click.echo("数据库已是最新结构。")


@db.command("reseal")
@click.option("--batch", metavar="行数", default=500, show_default=True, type=click.IntRange(1, 10000),
              help="每批处理多少行（每批一个事务）。")
@json_option
@with_appcontext
@needs_db
def db_reseal(batch: int, as_json: bool) -> None:
    """用最新的密钥重新加密工单文字、留言、回复和推送内容（含加密前存下的明文），并重建检索索引。
    更换 LIAISON_SECRET_KEY（新密钥放在最前）后运行；可重复运行，已是最新的不会再改。"""
    from ..infra.reseal import reindex, reseal

    ext = current()
    counts = reseal(ext.engine, batch)
    indexed = reindex(ext.engine, batch)
    if as_json:
        echo_json({"columns": {k: {"resealed": d, "present": n} for k, (d, n) in counts.items()},
                   "tickets_indexed": indexed})
        return
    for name, (done, present) in counts.items():
        click.echo(f"{name}：重新加密 {done} 条，共 {present} 条")
    click.echo(f"检索索引：已重建 {indexed} 件工单。")


@click.group()
def demo() -> None:
    """演示乡镇。"""


@creates_instance
@demo.command("seed")
@click.option("--seed", "rng_seed", metavar="数字", default=2026, show_default=True, help="生成姓名用的随机数种子。")
@json_option
@with_appcontext
def demo_seed(rng_seed: int, as_json: bool) -> None:
    """建立演示乡镇：行政村、自然村、代表、站点、联系选民群和选民。只往空名册里建。"""
    from ..infra.migrate import upgrade
    from ..services.roster.demo import RosterNotEmpty, seed

    ext = current()
    upgrade(ext.engine)
    with ext.Session() as session:
        try:
            stats = seed(session, rng_seed, box=ext.phones)
        except RosterNotEmpty:
            raise click.ClickException("名册不是空的：演示乡镇只能建在空数据库里，现有数据没有改动。") from None
        session.commit()
    if as_json:
        echo_json(stats)
        return
    click.echo("演示乡镇已建好：" + "，".join(f"{DEMO_LABELS.get(k, k)} {v}" for k, v in stats.items()))
    click.echo('试一试：先运行 liaison serve，再运行 liaison simulate "村里自来水停了三天了"')


@click.group()
def tickets() -> None:
    """意见工单。"""


tickets.add_command(tickets_export)  # `tickets export`: the forms, in a module of their own


@tickets.command("list")
@list_options
@click.option("--limit", metavar="数量", default=100, show_default=True, help="最多列出多少件。")
@with_appcontext
@needs_db
def tickets_list(as_json: bool, as_jsonl: bool, limit: int) -> None:
    """最近的工单，新的在前。"""
    from ..models import Ticket
    from ..services.texts import STATUS_NAMES

    rows = []
    with current().Session() as session:
        for t in session.scalars(select(Ticket).order_by(Ticket.id.desc()).limit(limit)).all():
            item = {"number": t.number, "status": t.status, "category": t.category,
                    "confidence": t.confidence, "voter_openid": t.voter.openid,
                    "deputy": t.deputy.name if t.deputy else None,
                    "created_at": t.created_at.isoformat()}
            status = STATUS_NAMES.get(t.status, t.status)
            rows.append((item, f"{t.number}  {status}  {t.category}  {item['deputy'] or '待分派'}  {t.text[:30]}"))
    emit(rows, as_json, as_jsonl, empty="还没有工单。")


SLA_LABELS = {"reminded": "提醒受理", "breached": "超过办结时限", "closed": "关闭"}


@tickets.command("sla")
@click.option("--today", metavar="日期", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="按这一天运行（YYYY-MM-DD，北京时间）；默认今天。")
@json_option
@with_appcontext
@needs_db
def tickets_sla(today, as_json: bool) -> None:
    """检查时限：提醒未受理的、告知超过办结时限的、关闭办结已久的（与每天的定时任务相同）。"""
    from ..jobs import tasks

    done = tasks.sla(current(), today.date() if today else None)
    if as_json:
        echo_json(done)
        return
    for key, numbers in done.items():
        listed = "：" + "、".join(numbers) if numbers else ""
        click.echo(f"{SLA_LABELS.get(key, key)} {len(numbers)} 件{listed}")


@tickets.command("reject")
@click.argument("number")
@click.argument("reason")
@click.option("--by", metavar="姓名", required=True, help="退回人（记入工单历史）。")
@with_appcontext
@needs_db
def tickets_reject(number: str, reason: str, by: str) -> None:
    """退回工单 NUMBER，不作为意见受理；选民会收到原因 REASON。"""
    from ..jobs.commit import commit
    from ..services.outcome import Outcome
    from ..services.texts import STATUS_NAMES
    from ..services.tickets import lifecycle

    ext = current()
    with ext.Session() as session:
        ticket = ticket_or_fail(session, number)
        if not reason.strip():
            raise click.ClickException("请写明退回原因（选民会看到）")
        try:
            done = Outcome().add_pushes(lifecycle.reject(session, ticket, reason, by, ext.now()))
        except lifecycle.NotAllowed as exc:
            status = STATUS_NAMES.get(exc.ticket.status, exc.ticket.status)
            raise click.ClickException(f"{number} 不能退回：工单目前{status}") from None
        except ValueError as exc:
            raise click.ClickException(f"{number} 不能退回：{exc}") from None
        commit(ext, session, done)
    click.echo(f"{number} 已退回，不作为意见受理；已通知选民。")


@tickets.command("assign")
@click.argument("number")
@click.argument("deputy_code")
@click.option("--by", metavar="姓名", required=True, help="分派人（记入工单历史）。")
@with_appcontext
@needs_db
def tickets_assign(number: str, deputy_code: str, by: str) -> None:
    """把待分派的工单 NUMBER 分派给代码为 DEPUTY_CODE 的代表（代表会收到微信推送）。"""
    from .triage import assign_command

    assign_command(number, deputy_code, by)


@click.group()
def qr() -> None:
    """二维码：场景值、海报、作废。"""


@qr.command("list")
@list_options
@click.option("--private", is_flag=True, help="也列出每位代表有没有未使用的私人绑定卡（卡上的码只在印卡时显示）。")
@with_appcontext
@needs_db
def qr_list(as_json: bool, as_jsonl: bool, private: bool) -> None:
    """每个站点和联系选民群已签发的二维码场景值（未签发的，印海报时签发）。"""
    from ..services.roster.scenes import all_scenes

    with current().Session() as session:
        rows = [(item, f"{_padded(SCENE_KINDS.get(item['kind'], item['kind']))} {item['id']:>4}  "
                       f"{_scene_label(item):<24} {item['name']}")
                for item in all_scenes(session, include_private=private)]
    emit(rows, as_json, as_jsonl, empty="还没有二维码场景：请先导入名册。")


def _scene_label(item: dict) -> str:
    if item["kind"] == "deputy":
        return ("有未使用的绑定卡" if item["card"] == "unused" else "没有可用的绑定卡") \
            + ("，已绑定微信" if item["bound"] else "")
    return item["scene"] or "（未签发）"


@click.group()
def sandbox() -> None:
    """沙箱模式（没有配置微信）：推送和群发只记录在本地。"""


@sandbox.command("outbox")
@click.option("--limit", metavar="数量", default=20, show_default=True, help="最多列出多少条。")
@list_options
@with_appcontext
@needs_db
def sandbox_outbox(limit: int, as_json: bool, as_jsonl: bool) -> None:
    """最近的推送和群发（每位接收人一条），按时间先后。"""
    from .outbox import recent

    with current().Session() as session:
        rows = recent(session, limit)
    emit(rows, as_json, as_jsonl, empty="还没有推送。")


@qr.command("posters")
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--site", "sites", metavar="站点编码", multiple=True, help="只印这个站点的海报（站点编码，可重复）。")
@click.option("--format", "fmt", type=click.Choice(["png", "pdf"]), default="png", show_default=True,
              help="文件格式。")
@click.option("--deputies", is_flag=True, help="另加每位代表的私人绑定卡（新卡，旧卡作废；只交给代表本人，不要张贴）。")
@click.option("--deputy", "deputy_codes", metavar="代表编码", multiple=True,
              help="只为这位代表印一张新的私人绑定卡（旧卡作废；可重复）。")
@with_appcontext
@needs_db
def qr_posters(outdir: str, sites: tuple[str, ...], fmt: str, deputies: bool, deputy_codes: tuple[str, ...]) -> None:
    """每个站点、每个联系选民群印一张 A4 海报，存到文件夹 OUTDIR（还没有二维码的，先签发一个）。
    正式模式下是微信的永久二维码（第一次申请后保存）；沙箱模式下是本地示意码。"""
    import getpass
    from pathlib import Path

    from ..services.roster import posters
    from ..services.roster import qr as qr_service

    ext = current()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    create = None if ext.sandbox else ext.api.create_qr
    with ext.Session() as session:
        items = qr_service.posters(session, ext.now(), f"cli:{getpass.getuser()}", sites, deputies, deputy_codes)
        if not items:
            raise click.ClickException("没有对应的站点或代表：请用 liaison qr list 核对站点编码或代表编码。")
        session.commit()  # issued codes and new cards are kept before anything is printed
        for item in items:
            content = qr_service.content_for(session, item.scene, create, keep=item.kind != "deputy")
            session.commit()  # a fetched ticket is kept even if a later one fails
            path = out / f"{item.kind}-{item.code}.{fmt}"
            posters.save(posters.render(item, content, ext.sandbox), path)
            title = item.deputy.name if item.deputy else item.group.name if item.group else item.site.name
            click.echo(f"{path}  {title}")
    cards = sum(1 for item in items if item.kind == "deputy")
    click.echo(f"共 {len(items)} 张海报，在 {out}"
               + ("（沙箱模式：二维码只是示意，扫码不能关注）" if ext.sandbox else ""))
    if cards:
        click.echo(f"其中 {cards} 张代表绑定卡是新卡，之前印的卡已作废；代表扫码后要由工作人员确认"
                   "（liaison roster bindings）。")


@qr.command("revoke")
@click.argument("scene")
@with_appcontext
@needs_db
def qr_revoke(scene: str) -> None:
    """作废二维码 SCENE：group:群编码（群成员保留），site:站点编码（已关联的选民保留），
    或 deputy:代表编码（作废代表未使用的私人绑定卡；已有的绑定用 liaison roster bindings revoke 解除）。
    作废后用 liaison qr posters 签发并印新码。"""
    import getpass

    from ..services.roster_desk import manage

    ext = current()
    kind, _, code = scene.partition(":")
    with ext.Session() as session:
        try:
            manage.revoke(session, f"cli:{getpass.getuser()}", kind, code, ext.now())
        except manage.RosterError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
    if kind == "group":
        click.echo(f"已作废联系选民群 {code} 的二维码，群成员保留。")
    elif kind == "site":
        click.echo(f"已作废站点 {code} 的二维码，已关联的选民保留。请用 liaison qr posters 印新海报。")
    else:
        click.echo(f"已作废代表 {code} 未使用的私人绑定卡。请用 liaison qr posters --deputy {code} 印新卡。")
