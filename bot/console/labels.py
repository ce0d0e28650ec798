"""Chinese names the console shows for stored codes (event kinds, push states,
audit actions). Ticket statuses come from services/texts.py."""
from __future__ import annotations

from datetime import datetime

from ..services.calendar.local_time import BEIJING
from ..services.texts import STATUS_NAMES

EVENT_NAMES = {
    "created": "收到意见", "assigned": "分派", "triage": "进入待分派", "followup": "群众补充", "accepted": "受理",
    "in_progress": "办理中", "replied": "答复", "transferred": "转办", "escalated": "上报", "resolved": "办结",
    "returned": "退回待分派", "rejected": "退回", "rated": "评价", "reopened": "重新办理", "closed": "关闭",
    "merged": "合并", "unmerged": "取消合并", "recategorised": "更正分类", "refined": "自动复核分类", "sla_reminded": "提醒受理",
    "sla_breached": "超过办结时限", "refused": "拒绝操作", "media_saved": "保存附件", "note": "内部备注",
}
# The console's desk actions (services/accounts/access.py DESK_ACTIONS).
ACTION_NAMES = {"reclassify": "更正分类", "assign": "分派代表", "reject": "不予受理", "accept": "受理",
                "reply": "回复群众", "resolve": "办结", "transfer": "转办", "escalate": "上报", "note": "内部备注",
                "merge": "合并重复工单"}
PUSH_NAMES = {"pending": "待发送", "sending": "发送中", "sent": "已送达", "failed": "发送失败", "unknown": "状态不明",
              "held": "待汇总", "digested": "已汇总发送"}
MESSAGE_TYPES = {"text": "文字", "voice": "语音", "image": "图片", "location": "位置", "video": "视频",
                 "shortvideo": "小视频", "link": "链接", "event": "事件"}
AUDIT_ACTIONS = {
    "login.ok": "登录", "login.failed": "登录失败", "login.locked": "账号锁定", "logout": "退出登录",
    "ticket.view": "查看工单", "ticket.denied": "越权查看工单", "voter.view_personal": "查看群众个人信息",
    "user.create": "创建账号", "user.disable": "停用账号", "user.password": "设置密码",
    "ticket.refused": "越权操作工单", "ticket.media": "查看附件", "export.roster": "导出名册",
    "export.ticket_form": "导出登记表", "export.tickets": "导出工单列表",
    "duty.poll_open": "开始选民测评", "duty.poll_close": "结束选民测评", "duty.evaluate_self": "录入代表自评",
    "duty.evaluate_org": "录入组织评定", "export.duty_sheet": "导出履职考评表", "export.duty_summary": "导出考评汇总表",
    "export.voter": "导出选民本人数据", "privacy.erase": "按本人要求删除个人信息", "privacy.retention": "超期数据删除",
    "deputy_binding.confirm": "确认代表微信绑定", "deputy_binding.reject": "拒绝代表微信绑定",
    "deputy_binding.revoke": "解除代表微信绑定", "qr.revoke": "作废二维码",
    "simulator.send": "手机模拟器发消息",
    "reception.move": "接待日改期", "reception.cancel": "取消接待日", "reception.attendance": "登记值班代表出席",
    "reception.rule": "修改接待规则", "reception.holidays": "录入节假日", "reception.notice": "打印接待公告",
    "reception.print_bookings": "打印预约名单", "reception.qr": "生成站点二维码",
    "roster.import": "导入名册", "qr.card": "印代表新绑定卡",
    "duty.formal": "认定为正式建议", "duty.informal": "取消正式建议认定",
    "broadcast.save": "群发：保存草稿", "broadcast.send": "群发：立即发送", "broadcast.schedule": "群发：定时发送",
    "broadcast.pause": "群发：暂停", "broadcast.resume": "群发：继续", "broadcast.cancel": "群发：取消",
    "export.broadcast_report": "导出群发明细",
    "duty.add": "录入履职活动", "duty.view": "查看代表履职档案（含民情笔记）", "export.duty_report": "导出履职情况表",
    **{f"ticket.{action}": f"工单：{name}" for action, name in ACTION_NAMES.items()},
    # The deputies' phone pages (bot/mobile): moves the console has no button for, and signing in.
    "ticket.progress": "工单：记录进展", "ticket.return": "工单：退回联络站",
    "mobile.login": "代表手机页面登录", "mobile.refused": "代表手机页面拒绝进入",
}


def push_kind(code: str) -> str:
    """Push kinds are "ticket_<event>" (to the deputy or an office), "voter_<event>"
    (to the voter) or a few fixed ones."""
    fixed = {"ticket_assigned": "给代表：新意见", "urgent_alert": "紧急提醒", "ticket_digest": "给代表：新意见汇总"}
    if code in fixed:
        return fixed[code]
    who, _, event = code.partition("_")
    prefix = {"ticket": "给代表：", "voter": "给群众："}.get(who)
    return prefix + EVENT_NAMES.get(event, event) if prefix and event else code


def actor_name(actor: str) -> str:
    """Who did it, as event actors are recorded ("staff:clerk", "deputy:7", "voter:3", "system")."""
    who, _, rest = (actor or "").partition(":")
    names = {"staff": "工作人员 ", "county": "县人大 ", "deputy": "代表", "voter": "群众", "system": "系统"}
    return names.get(who, who) + (rest if who in ("staff", "county") else "")


def status_name(code: str) -> str:
    return STATUS_NAMES.get(code, code)


def beijing(when: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return when.astimezone(BEIJING).strftime(fmt) if when is not None else ""


FILTERS = {"status_name": status_name, "beijing": beijing,
           "event_name": lambda code: EVENT_NAMES.get(code, code),
           "push_name": lambda code: PUSH_NAMES.get(code, code),
           "push_kind": push_kind,
           "message_type": lambda code: MESSAGE_TYPES.get(code, code),
           "audit_action": lambda code: AUDIT_ACTIONS.get(code, code), "actor_name": actor_name}
