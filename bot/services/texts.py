"""Every sentence the bot says to people, in one place (Simplified Chinese)."""
from __future__ import annotations

WELCOME = "欢迎关注乡人大代表联络站！有什么意见建议，直接发文字或语音给我们，我们会转给联系您的人大代表。"
WELCOME_GROUP = "欢迎！您已加入 {deputy} 代表的联系选民群（{site}）。有什么意见建议，直接在这里发文字或语音即可。"
WELCOME_SITE = "欢迎！您已关联到{site}，每月{day}日接待选民。有什么意见建议，直接发文字或语音即可。"
NEXT_RECEPTION = "下次接待日：{date}（{site}）。"
# The custom menu (services/menu.py): the buttons' names and what a click answers.
MENU_REPORT = "反映问题"
MENU_RECEPTION = "接待日"
MENU_MINE_GROUP = "我的"
MENU_MINE = "我的意见"
MENU_DEPUTY = "代表工作"
MENU_REPORT_ANSWER = ("请直接在下面的对话框里发文字或按住说话发语音，说清楚是什么事、在哪个村哪个地方，"
                      "也可以发照片。我们会转给联系您的人大代表，并告诉您工单编号和办理进度。")
REVOKED_SCENE = "欢迎关注！这个二维码已停用，请向联络站工作人员索取新的二维码。您也可以直接发送意见建议。"
CLAIM_HELP = "请按“绑定 姓名 手机后四位”的格式发送，例如：绑定 张三 1234"
CLAIM_DONE = "{name}，您好！已核对您的登记信息。{joined}"
CLAIM_JOINED = "您在 {deputy} 代表的联系选民群。"
CLAIM_NO_MATCH = "没有找到与“{name}”和这四位号码相符的登记信息，请核对后再试，或联系联络站工作人员。"
CLAIM_ALREADY_BOUND = "您的微信已经绑定了登记信息“{name}”，不能再绑定其他人的登记信息。如需更改，请联系联络站工作人员。"
CLAIM_BLOCKED = "核对失败次数太多，请一小时后再试，或联系联络站工作人员。"
CLAIM_UNAVAILABLE = "暂时无法核对登记信息，请稍后再试。"
DEPUTY_BOUND = "{deputy} 代表，您好！您的微信已绑定，群众反映的意见将推送到这里。"
UNKNOWN_SCENE = "欢迎关注！这个二维码已失效或无法识别，请向联络站工作人员索取新的二维码。您也可以直接发送意见建议。"

# A ticket's village when the voter's is not on the roster.
UNREGISTERED_VILLAGE = "未登记村"

RECEIVED_ASSIGNED = "已收到您的意见（编号 {number}），已转交 {deputy} 代表。"
RECEIVED_TRIAGE = "已收到您的意见（编号 {number}），联络站工作人员会尽快安排代表处理。"
EMPTY_TEXT = "您发送的内容是空的，请用文字或语音说说您的意见建议。"
VOICE_UNCLEAR = "抱歉，没能听清您的语音，请再说一遍，或者改用文字。"
MEDIA_RECEIVED = "已收到您发送的{what}。请再用文字或语音说明您要反映的问题，我们会一并转给代表。"
UNSUPPORTED = "暂时不支持这种消息，请发送文字或语音。"
MEDIA_NAMES = {"image": "图片", "video": "视频", "shortvideo": "小视频", "location": "位置", "link": "链接"}

DEPUTY_NEW_TICKET = "新意见 {number} [{category}] {village} {who}：{text}"
DEPUTY_NEW_TICKET_TITLE = "您有一条新的群众意见"
# The worker's second look at an unsure category (services/tickets/refine.py): the
# ticket's history, and the deputy's push when the suggested office or level changed.
LEVEL_NAMES = {"township": "乡镇", "county": "县级"}
REFINED_NOTE = "分类由 {old} 调整为 {new}（自动复核）"
REFINED_ROUTE_NOTE = "；建议承办由 {old_office}（{old_level}）改为 {office}（{level}）"
REFINED_CONFIRMED = "分类经自动复核确认为 {category}"
DEPUTY_TICKET_REFINED = "意见 {number} 复核后改为 [{category}]（原为 {old}），建议由{office}（{level}）办理。"
DEPUTY_TICKET_REFINED_TITLE = "群众意见的分类有调整"

POSTER_RECEPTION = "每月{day}日 接待选民"
POSTER_ADDRESS = "地址：{address}"
POSTER_GROUP_SUBTITLE = "{deputy} 代表 · 联系固定选民"
POSTER_HOW = (
    "① 打开微信，扫一扫上面的二维码",
    "② 关注公众号，直接发文字或语音说说您的意见建议",
    "③ 意见会转给联系您的人大代表，办理结果会告诉您",
)
POSTER_FOOTER = "乡人大代表联络站 · 有事找代表"
POSTER_SANDBOX = "测试二维码（沙箱模式，不能在微信中使用）"
POSTER_DEPUTY_TITLE = "{deputy} 代表 微信绑定码"
POSTER_DEPUTY_PRIVATE = "仅限代表本人扫码，请勿张贴或转发"
POSTER_DEPUTY_HOW = (
    "① 用您本人的微信扫一扫上面的二维码，联络站确认后开通（此卡只能用一次）",
    "② 关注公众号后，群众反映的意见会推送到您的微信",
    "③ 二维码丢失或外传，请联系工作人员作废并重新生成",
)

GREETING = "您好！我是乡人大代表联络站的小助手。有什么意见建议，直接发文字或语音告诉我，我会转给联系您的人大代表。"
THANKS = "不客气！有事随时找我们。"
URGENT_ADVICE = "如有生命或财产危险，请立即拨打 110、119 或 120，并远离危险地点。"
URGENT_PREFIX = "【紧急】"
STAFF_URGENT = "【紧急】{number} [{category}] {village} {who}：{text}（已转 {deputy}）"
STAFF_URGENT_TITLE = "紧急群众意见"

RECEPTION_ANSWER = "下次接待日：{date}，{hours}，地点：{site}（{address}）。{deputies}"
RECEPTION_DEPUTIES = "接待代表：{names}。"
RECEPTION_HOURS = "上午 9:00–12:00"
RECEPTION_GENERAL = "乡人大代表联络站每月20日、各联络点每月10日接待选民。扫描您所在联络点或联系选民群的二维码后，我们可以告诉您具体的时间和地点。"
SITE_ANSWER = "您所在的是{site}，地址：{address}。每月{day}日接待选民。"
PROGRESS_NONE = "您还没有反映过意见。有什么意见建议，直接发文字或语音即可。"
PROGRESS_HEAD = "您反映的意见："
PROGRESS_LINE = "{number} {status}（{when}）{text}"
BENEFITS_ANSWER = ("常见补助可以这样办：低保、特困、临时救助和残疾人补贴，带身份证、户口本到村委会提出申请，"
                   "由乡便民服务中心（民政办）审核；种粮等惠农补贴由村里统一登记，乡农业综合服务中心发放；"
                   "城乡居民医保、养老保险在村委会或乡便民服务中心办理。具体问题也可以直接发给我们，我们转给代表帮您问。")
# Questions about the service itself ("帮助", "我的代表是谁", "可以匿名吗", "能发语音吗").
SERVICE_ABOUT = ("这里是乡人大代表联络站的公众号：您有意见建议，直接发给我们，我们转给联系您的人大代表；"
                 "办理进展和结果会在这里告诉您，办结后请您评价。")
SERVICE_DEPUTY = "联系您的人大代表是 {names} 代表。"
SERVICE_SITE = "您关联的是{site}，您的意见会转给在{site}的人大代表。"
SERVICE_BIND = ("扫描您所在联络点或联系选民群的二维码，或者发送“绑定 姓名 手机后四位”（例如：绑定 张三 1234），"
                "就能知道联系您的人大代表是谁。")
SERVICE_NAME = ("反映问题不用写真名。代表只能通过这个公众号回复您，请不要取消关注；"
                "如果不想让别人知道是您反映的，请在意见里写上“请匿名处理”。")
SERVICE_VOICE = "不方便打字，直接发语音就行，也可以发照片和位置。"
SERVICE_MORE = "发“进度”查看您反映的意见，发“接待日”查看下次接待选民的时间和地点。"
QUESTION_GENERAL = "您的问题已收到。接待日、联络点地址、意见办理进度都可以直接问我；其他问题请说得具体一些，我们会转给代表。"

FOLLOWUP_ADDED = "已补充到 {number}，已转告 {deputy} 代表。"
FOLLOWUP_ADDED_TRIAGE = "已补充到 {number}，联络站工作人员会一并处理。"
DEPUTY_FOLLOWUP = "补充 {number}：{text}"
RATING_THANKS = "感谢您对 {number} 办理结果的评价！"
RATING_NONE = "目前没有需要您评价的意见。办理完成后，我们会请您评价。"

STATUS_NAMES = {
    "new": "已收到", "accepted": "已受理", "in_progress": "办理中", "replied": "已答复", "transferred": "已转办",
    "escalated": "已上报", "resolved": "已办结", "rated": "已评价", "closed": "已关闭", "reopened": "重新办理",
    "merged": "已合并", "rejected": "已退回",
}

# -- the ticket lifecycle: deputies' commands ---------------------------------
RATING_ASK = "请为本次办理评价：1 很不满意 2 不满意 3 基本满意 4 满意 5 很满意（可以在数字后面写一句话）。"
VOTER_ACCEPTED = "您反映的意见 {number} 已由 {deputy} 代表受理，办理结果会告诉您。"
VOTER_REPLIED = "{deputy} 代表回复您反映的 {number}：{text}"
VOTER_PROGRESS = "您反映的意见 {number} 正在办理：{text}（{deputy} 代表）"
VOTER_TRANSFERRED = "您反映的意见 {number} 已转 {office} 办理，{deputy} 代表会跟进结果。"
VOTER_ESCALATED = "您反映的意见 {number} 超出乡里的职权，已上报{body}，并请 {upper} 代表跟进。办理结果会告诉您。"
VOTER_RESOLVED = "您反映的意见 {number} 已办结：{result}\n" + RATING_ASK + "如果问题没有解决，{days}天内回复“没解决”。"
VOTER_REJECTED = "您反映的 {number} 没有作为意见受理：{reason}。如有疑问，请联系联络站工作人员。"
BODY_NAMES = {"county": "县人大常委会", "city": "市人大常委会"}

DEPUTY_HELP = ("代表可用的指令（编号写 123 或 2026-000123 都可以）：\n"
               "受理 123\n办理 123 办理进展\n回复 123 答复内容\n回复全部 123 答复内容（也发给并入此单的群众）\n"
               "转办 123 站所名称\n上报 123 上报原因\n"
               "办结 123 办理结果\n办结全部 123 办理结果（也发给并入此单的群众）\n"
               "退回 123 退回原因（不是意见、不该由我办）\n我的工单\n"
               "签到（接待选民日到岗时发送）\n走访 地点 走访情况（如：走访 新民村 李大爷家，反映灌溉渠堵塞；"
               "之后几分钟内发的照片、语音会记在这次走访里；需要代群众反映问题时写上“代为反映”）\n帮助")
DEPUTY_USAGE = "格式不对。{usage}\n发送“帮助”查看全部指令。"
DEPUTY_USAGES = {
    "受理": "请发送：受理 123", "办理": "请发送：办理 123 办理进展", "回复": "请发送：回复 123 答复内容",
    "回复全部": "请发送：回复全部 123 答复内容", "转办": "请发送：转办 123 站所名称",
    "上报": "请发送：上报 123 上报原因", "办结": "请发送：办结 123 办理结果",
    "办结全部": "请发送：办结全部 123 办理结果", "退回": "请发送：退回 123 退回原因",
}
DEPUTY_BAD_STATE = "{number} 目前是“{status}”，不能{verb}。"
DEPUTY_ACCEPT_FIRST = "{number} 还没有受理，请先发送：受理 {short}"
DEPUTY_ACCEPTED = "已受理 {number}，已告知群众。办结后请发送：办结 {short} 办理结果"
DEPUTY_REPLIED = "已把您的答复发给 {number} 的群众。"
DEPUTY_PROGRESS = "{number} 已记为办理中，已把进展告诉群众。"
DEPUTY_TRANSFERRED = "{number} 已转 {office} 办理，已告知群众。"
DEPUTY_UNKNOWN_OFFICE = "没有叫“{office}”的站所。可以转办的站所：{offices}"
DEPUTY_ESCALATED = "{number} 已上报{body}和 {upper} 代表，已告知群众。"
DEPUTY_NO_UPPER = "{number} 找不到联系您的上级代表，已上报{body}。"
DEPUTY_ESCALATE_NOBODY = ("{number} 暂时无法上报：找不到能联系上的上级代表，{body}和联络站工作人员也都没有配置微信。"
                          "工单状态没有变化，请直接联系联络站工作人员。")
DEPUTY_ESCALATED_STAFF = "{number} 找不到能联系上的上级代表，已交联络站工作人员转报{body}，已告知群众。"
STAFF_FORWARD_ESCALATION = "\n没有能联系上的上级代表，{body}也没有配置微信，请工作人员转报。"
VOTER_ESCALATED_STAFF = "您反映的意见 {number} 超出乡里的职权，已交联络站工作人员上报{body}。办理结果会告诉您。"
VOTER_UNMERGED = "您反映的意见 {number} 原与 {primary} 一并办理，现改为单独办理，联络站工作人员会尽快安排代表处理。"
DEPUTY_TOP = "{number} 已经上报到市级，不能再上报，请联系联络站工作人员。"
DEPUTY_RESOLVED = "{number} 已办结，已告知群众并请其评价。"
DEPUTY_RETURNED = "{number} 已退回联络站重新分派。"
DEPUTY_MINE_NONE = "您目前没有待办的工单。"
DEPUTY_MINE_HEAD = "您的待办工单（{count} 件，最早的在前）："
DEPUTY_MINE_LINE = "{number} {status}（{when}）{text}"
DEPUTY_ESCALATED_IN = "上报 {number} [{category}] {village} {who}：{text}\n上报原因：{reason}（{deputy} 代表）"
DEPUTY_ESCALATED_IN_TITLE = "有一条群众意见上报给您"
STAFF_RETURNED = "退回 {number} [{category}] {village}：{text}\n退回原因：{reason}（{deputy} 代表），请重新分派。"
STAFF_RETURNED_TITLE = "有一条工单被退回"
DEPUTY_NOT_ACTIVE = "您的代表账号目前未启用，不能办理工单。如有疑问请联系联络站工作人员。"
ASSIGN_NOT_FOUND = "没有代码为 {code} 的代表"
ASSIGN_NOT_REACHABLE = "{deputy} 代表未启用、未绑定微信或已取消关注，收不到工单"
ASSIGN_NOT_TOWNSHIP = "{deputy} 不是乡人大代表，不能直接分派乡里的工单"
ASSIGN_NOT_IN_TRIAGE = "{number} 不在待分派队列里（目前：{status}）"
ASSIGN_OWN_TICKET = "{number} 是 {deputy} 代表本人反映的意见，不能分派给本人"
ASSIGN_NEEDS_BY = "请写明是谁分派的（--by）"
ASSIGN_SAME_DEPUTY = "{number} 已经分派给 {deputy} 代表"
CONSOLE_NO_DEPUTY = "{number} 还没有分派代表，请先分派"
CONSOLE_NEEDS_TEXT = "请填写{verb}的内容"
MERGE_SELF = "不能把工单合并到它自己"
MERGE_NO_PRIMARY = "没有找到编号为 {number} 的工单"
MERGE_PRIMARY_CLOSED = "{number} 目前是“{status}”，只能合并到还在办理的工单"
MERGE_HAS_DUPLICATES = "{number} 已有其他工单合并进来，不能再合并到别的工单"
NOTE_EMPTY = "备注不能为空"

# -- the voter side: ratings and reopening ------------------------------------
RATING_THANKS_COMMENT = "感谢您对 {number} 办理结果的评价！您的留言已转告代表。"
DEPUTY_RATED = "{number} 群众评价：{score} 分 {comment}"
REOPENED = "已重新办理 {number}，已告知 {deputy} 代表。"
REOPENED_TRIAGE = "已重新办理 {number}，联络站工作人员会尽快安排。"
REOPEN_TOO_LATE = "{number} 办结已超过{days}天，不能重新办理。请把现在的情况再说一遍，我们会作为新的意见转给代表。"
DEPUTY_REOPENED = "重新办理 {number}：群众说问题没有解决。{text}"
DEPUTY_REOPENED_TITLE = "有一条工单需要重新办理"

# -- SLA ----------------------------------------------------------------------
SLA_ACK_REMINDER = "提醒：{number} [{category}] {village} 已经{days}个工作日没有受理，请尽快处理：受理 {short}"
SLA_REMINDER_TITLE = "工单待受理提醒"
SLA_BREACH = "超期：{number} [{category}] {village} 分派给 {deputy} 代表，已超过{days}个工作日没有办结（目前：{status}）。请督促办理。"
SLA_BREACH_ESCALATED = ("超期：{number} [{category}] {village} 由 {deputy} 代表上报{body}{upper}，"
                        "已超过{days}个工作日没有办结（目前：{status}）。请督促办理。")
SLA_REMINDER_UNREACHABLE = "\n{deputy} 代表在微信上联系不上（未启用、未绑定或已取消关注），请工作人员联系或重新分派。"
SLA_BREACH_TITLE = "工单超期提醒"
VOTER_UPDATE_TITLE = "您反映的意见有了新进展"
VOTER_ESCALATED_BODY = "您反映的意见 {number} 超出乡里的职权，已上报{body}。办理结果会告诉您。"
DEPUTY_MINE_MORE = "……另有 {count} 件"
ATTACHED = "已补充到 {number}（{what}）。"
DEPUTY_ATTACHED = "补充 {number}：群众发来{what}{note}"
RECEIVED_DUPLICATE = ("已收到您的意见（编号 {number}）。同村已有群众反映了类似问题（{primary}），将一并办理，"
                      "{deputy}办理结果会告诉您。")
DEPUTY_DUPLICATE = "另有 {n} 位群众反映类似问题（并入 {number}）[{category}] {village} {who}：{text}"
DEPUTY_MINE_DUPLICATES = "，另有 {n} 位群众反映类似问题"
RECEPTION_NOTICE = "{date}{starts}–{ends} {site}接待选民，接待代表：{deputies}。地址：{place}。回复“预约”可预约。"
RECEPTION_NOTICE_TITLE = "接待选民日通知"
DUTY_REMINDER = "{deputies} 代表：请您于{date}{hours}在{site}（{place}）接待选民。回复“预约名单”可查看已预约的选民。"
DUTY_REMINDER_TITLE = "接待选民值班提醒"
DUTY_TODAY = "今天{hours}您在{site}（{place}）值班接待选民。已预约 {count} 人：{names}。"
RECEPTION_MOVED = "{site}原定{old}的接待选民日改到{new}，{hours}，地址：{place}。{note}"
RECEPTION_CANCELLED = "{site}原定{date}的接待选民日取消。{note}"
RECEPTION_CHANGE_TITLE = "接待选民日变更"
RECEPTION_YOUR_DEPUTY = "您的联系代表：{name}。"
DUTY_ANSWER = "{date}{site}值班代表：{names}。"
DUTY_NONE = "近期没有安排接待选民。"
BOOKED = "已为您预约{date}{site}的接待，您是第 {number} 号。{hours}，地址：{place}。如不能来，请回复“取消预约”。"
BOOKED_ALREADY = "您已预约{date}{site}的接待，是第 {number} 号。如不能来，请回复“取消预约”。"
BOOKING_FULL = "{date}{site}的接待预约已满（{capacity} 人）。您也可以直接发文字或语音反映意见，我们会转给代表。"
BOOKING_CANCELLED = "已取消您{date}在{site}的预约。"
BOOKING_NONE = "您还没有预约下次的接待。回复“预约”可预约。"
BOOKING_NO_SITE = "请先扫描您所在联络点或联系选民群的二维码，我们才能为您预约。"
BOOKING_LIST = "{date}{site}已预约 {count} 人：{names}"
BOOKING_LIST_NONE = "您近期没有接待选民的值班安排。"
BROADCAST_TITLE = "乡人大代表联络站通知"
PUBLICITY = {
    "environment": ("6月5日环境日", "今天是六五环境日。保护生态环境，人人有责：垃圾分类投放，不焚烧秸秆，节约用水用电。"
                                     "对村里环境问题有意见建议，直接发给我们，我们转给人大代表。"),
    "land": ("6月25日全国土地日", "今天是全国土地日。节约集约用地，严守耕地红线：不乱占耕地建房，不违法买卖土地。"
                                   "土地方面的问题可以直接发给我们，我们转给人大代表。"),
    "constitution": ("12月4日国家宪法日", "今天是国家宪法日。尊崇宪法、学习宪法、遵守宪法、维护宪法。"
                                           "有意见建议，直接发文字或语音给我们，人大代表听您说。"),
}

# -- Privacy: erase on request and the retention period (PIPL) -----------------
# What replaces a voter's words, name and replies once erased at their request.
ERASED = "[已按本人要求删除]"
# What replaces a ticket's words once kept longer than the retention period.
EXPIRED = "[超过保存期限，已删除]"
# -- roster import: deputies' WeChat binding is not taken from the workbook (issue 16) --
ROSTER_DEPUTY_OPENID_IGNORED = "代表微信绑定只能通过绑定卡并由工作人员确认，名册中的 OpenID 不会生效"

# -- issued QR codes and confirmed deputy bindings (issue 16) -------------------
DEPUTY_BIND_PENDING = "已收到您绑定人大代表身份的申请。联络站工作人员核实后会为您开通，开通后会在这里通知您。"
DEPUTY_CARD_USED = "这张代表绑定卡已经使用过，不能再次绑定。如需更换微信，请联系联络站工作人员。"
DEPUTY_CARD_REVOKED = "这张代表绑定卡已作废，请联系联络站工作人员领取新卡。"
DEPUTY_BINDING_CONFIRMED = "{deputy} 代表，您好！联络站已确认您的微信绑定，群众反映的意见将推送到这里。"
DEPUTY_BINDING_REJECTED = "您绑定人大代表身份的申请没有通过。如有疑问，请联系联络站工作人员。"
DEPUTY_BINDING_MOVED = ("您的微信已不再绑定 {deputy} 代表的身份：该身份已按联络站确认转到另一个微信。"
                        "如果这不是您本人的操作，请立即致电联络站。")
DEPUTY_BINDING_REVOKED = "联络站已解除您的微信与 {deputy} 代表身份的绑定，您将不再收到代表工单。如有疑问，请致电联络站。"
DEPUTY_BINDING_TITLE = "代表微信绑定变更"
STAFF_BINDING_REQUEST = ("代表绑定申请待确认：有微信号扫描了 {deputy} 代表（{code}）的绑定卡，申请编号 {id}。"
                         "请先与代表本人电话核实，再在工作台“代表绑定”页或用 liaison roster bindings confirm {id} 确认。")
GROUP_STAYS = "您已在 {deputy} 代表的联系选民群（{group}）。扫码不会更换群组，如需更换，请联系联络站工作人员。"
# -- confidential complaints, anonymity, replies to merged reports, ticket look-ups (issue 16) -------------
RECEIVED_CONFIDENTIAL = ("已收到您的意见（编号 {number}）。这件事只交给联络站工作人员处理，不会转给{deputy}，"
                         "{deputy}看不到您反映的内容，也不会知道是您反映的。")
CONFIDENTIAL_DEPUTY_ANY = "代表"
CONFIDENTIAL_DEPUTY_NAMED = "{name} 代表或其他代表"
STAFF_CONFIDENTIAL = "【保密】{number} [{category}] {who}：{text}\n原因：{reasons}。此件不转代表，请工作人员直接处理。"
STAFF_CONFIDENTIAL_TITLE = "保密意见"
STAFF_WITHDRAWN = ("【保密】{number} [{category}] {who} 要求不向代表透露身份，已{source}收回，"
                   "请工作人员直接处理。原意见：{text}")
STAFF_WITHDRAWN_FROM = "从{deputy}代表处"
STAFF_WITHDRAWN_QUEUE = "从分派队列"
CONFIDENTIAL_REASONS = {"names_deputy": "点名反映{name}代表", "sensitive": "纪检监察、政法等敏感事项",
                        "anonymity": "群众要求保密"}
DEPUTY_TAKEN_OVER = "{number} 已由联络站工作人员接手办理，您不需要再办理这件工单。"
ANONYMITY_WITHDRAWN = ("好的，您反映的 {number} 已改为由联络站工作人员直接处理，不再经{deputy}办理，"
                       "代表看不到您的身份。")
ANONYMITY_ALREADY = "您反映的 {number} 本来就只由联络站工作人员处理，代表看不到您的身份。"
ANONYMITY_NOTHING = ("您目前没有正在办理的意见。以后反映问题时写上“匿名”或“不要告诉代表是我”，"
                     "我们就只交给联络站工作人员处理。")
VOTER_LINKED_NEWS = "您反映的问题有了新进展：{number} 目前“{status}”（{deputy} 代表）。办理结果会告诉您，回复“进度”可以查询。"
DEPUTY_REPLIED_FIRST_ONLY = ("已把您的答复发给 {number} 的群众。另有 {n} 位群众的同类意见并入此单，"
                             "他们只收到“有新进展”的通知，没有收到答复原文（答复里可能有第一位群众的住址等情况）。"
                             "如果答复也适合他们，请发送：回复全部 {short} 答复内容（会原样发给全部 {total} 位群众）")
DEPUTY_REPLIED_ALL = "已把您的答复原文发给 {number} 的群众和并入此单的 {n} 位群众。"
DEPUTY_NO_SUCH_TICKET = "没有找到编号为 {number} 且分派或上报给您的工单，请核对编号。如有疑问请联系联络站工作人员。"
MERGE_CONFIDENTIAL = "{number} 是保密工单，只由工作人员处理，不能与其他工单合并。"
ASSIGN_CONFIDENTIAL = "{number} 是保密工单（点名反映代表、敏感事项或群众要求保密），只由工作人员处理，不能分派给代表。"
# -- confidential complaints on every path: urgent additions, ratings, reopening, escalation, merges (issue 16) --
STAFF_CONFIDENTIAL_SAID = "\n群众新说：{text}"
STAFF_TAKEN_BACK = ("【保密】{number} [{category}] {who}：{text}\n原因：{reasons}，已{source}收回，"
                    "此件不转代表，请工作人员直接处理。")
RATING_THANKS_PRIVATE = "感谢您对 {number} 办理结果的评价！您的留言只转给联络站工作人员，代表看不到。"
STAFF_CONFIDENTIAL_RATING = ("【保密】{number} [{category}] {who} 评价 {score} 分，留言：{comment}\n"
                             "原因：{reasons}。留言没有转给代表（代表只收到分数），请工作人员处理。")
REOPENED_CONFIDENTIAL = "已重新办理 {number}，这次只交给联络站工作人员处理，代表看不到您反映的内容，也不会知道是您反映的。"
ASSIGN_NAMES_DEPUTY = "{number} 的内容点名反映 {deputy} 代表，不能分派给 {deputy} 代表，请分派给其他代表或由工作人员处理。"
MERGE_NAMES_DEPUTY = "{number} 的内容点名反映 {deputy} 代表，不能并入由 {deputy} 代表办理的 {primary}。"
VOTER_LINKED_RESOLVED = ("您反映的问题已办结：{number}（{deputy} 代表）。\n" + RATING_ASK
                         + "如果问题没有解决，{days}天内回复“没解决”。")
DEPUTY_RESOLVED_FIRST_ONLY = ("{number} 已办结，已把办理结果发给 {number} 的群众并请其评价。另有 {n} 位群众的同类意见并入此单，"
                              "他们只收到“已办结”的通知，没有收到办理结果原文（结果里可能有第一位群众的住址等情况）。"
                              "如果结果也适合他们，请发送：办结全部 {short} 办理结果（会原样发给全部 {total} 位群众）")
DEPUTY_RESOLVED_ALL = "{number} 已办结，已把办理结果原文发给 {number} 的群众和并入此单的 {n} 位群众，并请他们评价。"
# -- floods: the per-openid limit, urgent reports joined, deputies' digests ----
TOO_FAST = "您发送得太快了，请稍等一分钟再发。刚才的内容已记下，工作人员会看到。"
URGENT_JOINED = "已补充到紧急意见 {number}，工作人员已收到提醒。"
DEPUTY_DIGEST = "您有{count}条新工单：\n{lines}\n发送“我的工单”查看全部。"
DEPUTY_DIGEST_LINE = "#{number} [{category}] {village}"
DEPUTY_DIGEST_MORE = "……等 {count} 条"
DEPUTY_DIGEST_TITLE = "您有多条新的群众意见"
# -- faults: the database was unreachable, the message is kept on disk and handled later --
SPOOLED = "已收到您的消息，系统正忙，稍后处理。"
# -- the station's own desk: staff answer the tickets no deputy holds (confidential ones) (issue 16) --
STATION_NAME = "联络站"
VOTER_STATION_ACCEPTED = "您反映的意见 {number} 已由联络站工作人员受理，办理结果会告诉您。"
VOTER_STATION_REPLIED = "联络站回复您反映的 {number}：{text}"
STATION_DESK_STAFF_ONLY = "没有权限：只有管理员和工作人员账号能以联络站名义办理工单"
STATION_DESK_HAS_DEPUTY = "{number} 由代表办理，请让代表受理、回复和办结"
STATION_DESK_LINKED = "{number} 并入了其他群众的同类意见，请先分派给代表办理"
# -- the duty record (履职档案): check-ins and visit notes from deputies (issue 15) --
CHECKIN_DONE = "签到成功：{date} {site}接待选民（{hours}，{place}）。已记入您的履职档案（接待选民）。"
CHECKIN_ALREADY = "您已签到：{date} {site}接待选民（登记人：{by}），不用再签。"
CHECKIN_TOO_EARLY = ("今天（{date}）{site}接待选民的时间是{hours}，{opens} 以后到岗再发“签到”。"
                     "这次签到没有记录。")
CHECKIN_NO_RECEPTION = "今天（{date}）没有接待选民活动，签到没有记录。"
CHECKIN_NOT_ON_DUTY = "今天（{date}）{sites}有接待选民活动，但值班代表里没有您，签到没有记录。"
CHECKIN_NEXT = "您下次值班：{date} {site}。"
CHECKIN_NO_NEXT = "近三个月没有安排您值班；如有疑问请联系联络站工作人员。"
VISIT_USAGE = "请这样发送：走访 地点 走访情况\n例如：走访 新民村 李大爷家，反映灌溉渠堵塞"
VISIT_RECORDED = "已记入您的履职档案（走访选民）：{date}，地点：{place}。{note}"
VISIT_MEDIA_HINT = "{minutes}分钟内发来的照片或语音会一起记入这次走访。"
VISIT_NOTE = "记录：{note}。"
VISIT_TICKET = "\n已代群众反映问题，工单编号 {number}，由您办理（发送“受理 {short}”开始办理）。"
VISIT_TICKET_CONFIDENTIAL = "\n已代群众反映问题，工单编号 {number}，涉及需要保密的情况，交联络站工作人员办理。"
VISIT_MEDIA_ADDED = "已把{what}记入 {date} 在{place}的走访（共 {count} 个附件）。"
VISIT_MEDIA_TICKET = "也已附在工单 {number} 里。"
VISIT_MEDIA_FULL = "这次走访已经有 {count} 个附件，不能再加了。"
VISIT_MEDIA_NAMES = {"image": "照片", "voice": "语音", "video": "视频", "shortvideo": "视频"}
ON_BEHALF = "代为反映"  # the voter agreed that the deputy reports the matter for them
ON_BEHALF_NOTE = "{deputy} 代表走访{place}时记录，群众同意代为反映"
ON_BEHALF_URGENT = "紧急情况代为反映"  # urgent: filed without the voter's consent being claimed
ON_BEHALF_URGENT_NOTE = "{deputy} 代表走访{place}时记录的紧急情况"
VISIT_SUGGEST_ON_BEHALF = "\n如果群众同意由您代为反映，请发送：走访 地点 代为反映 内容"
# -- the deputies' phone pages (bot/mobile, services/tickets/mine.py) ----------
# action -> its button; the order is the page's.
PHONE_ACTIONS = {"accept": "受理", "reply": "回复群众", "progress": "记录进展", "resolve": "办结", "transfer": "转办",
                 "escalate": "上报上级", "return": "退回联络站"}
PHONE_NEEDS = {"reply": "回复的内容", "progress": "办理进展", "resolve": "办理结果", "escalate": "上报原因",
               "return": "退回原因", "transfer": "要转给的站所"}
PHONE_NEEDS_TEXT = "请先填写{what}，再点“{button}”"
PHONE_NO_SUCH_ACTION = "没有这个操作。"
PHONE_ACCEPT_FIRST = "这件工单还没有受理，请先点“受理”"
PHONE_CANNOT = "目前不能{button}"
# After a move: the command's own answer, without the command hints that make sense only in the chat.
PHONE_DONE = {"accept": "已受理，已告知群众。办好后请在这里回复群众或办结。", "progress": "进展已记下，已告诉群众。",
              "reply": "答复已发给群众。", "resolve": "已办结，已告知群众并请其评价。"}
PHONE_DONE_LINKED = {"reply": "并入此单的 {n} 位群众只收到“有新进展”的通知。",
                     "resolve": "并入此单的 {n} 位群众只收到“已办结”的通知，也会被请求评价。"}
PHONE_DONE_OTHER = "已办理"
PHONE_REPEATED = "这一步已经提交过了，不会重复办理。请看下面的办理经过。"
PHONE_STALE_FORM = "页面已过期，请看一下工单现在的情况，再重新操作。"
PHONE_BUSY = "系统正忙，这一步没有办理，请稍后再试。"
PHONE_ERRORS = {400: ("页面已过期", "请回到公众号，从菜单“代表工作”重新进入。"),
                403: ("不能访问", "这个页面只供已绑定的人大代表使用。"),
                404: ("没有找到", "没有这个页面，或者这件工单不是分派给您的。"),
                405: ("请求无效", "不支持这种操作。"),
                500: ("出错了", "系统出了点问题，请稍后再试，或联系联络站工作人员。"),
                502: ("暂时无法确认您的身份", "微信暂时没有答复，请稍后从公众号菜单“代表工作”重新进入。")}
PHONE_NOT_DEPUTY_TITLE = "这里只供人大代表使用"
PHONE_NOT_DEPUTY = ("这里是人大代表办理群众意见的页面。您的微信还没有绑定为人大代表，或者绑定还没有经联络站确认。"
                    "如果您是代表，请扫描联络站发给您的代表绑定卡，等工作人员确认后再进入；"
                    "如果您想反映问题，请回到公众号直接发文字或语音。")
PHONE_NO_GRANT = ("没有得到微信授权", "请回到公众号，从菜单“代表工作”重新进入。")
PHONE_NOT_CONFIGURED = ("还不能从微信进入", "系统还没有设置对外网址（LIAISON_PUBLIC_BASE_URL），"
                        "暂时不能从微信进入代表工作页面。请联系联络站工作人员。")
PHONE_NO_MEDIA = "附件还没有保存下来，或已被删除。"
