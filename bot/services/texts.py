"""Every sentence the bot says to people, in one place (Simplified Chinese)."""
from __future__ import annotations

WELCOME = "欢迎关注乡人大代表联络站！有什么意见建议，直接发文字或语音给我们，我们会转给联系您的人大代表。"
WELCOME_GROUP = "欢迎！您已加入 {deputy} 代表的联系选民群（{site}）。有什么意见建议，直接在这里发文字或语音即可。"
WELCOME_SITE = "欢迎！您已关联到{site}，每月{day}日接待选民。有什么意见建议，直接发文字或语音即可。"
NEXT_RECEPTION = "下次接待日：{date}（{site}）。"
REVOKED_SCENE = "欢迎关注！这个二维码已停用，请向联络站工作人员索取新的二维码。您也可以直接发送意见建议。"
CLAIM_HELP = "请按“绑定 姓名 手机后四位”的格式发送，例如：绑定 张三 1234"
CLAIM_DONE = "{name}，您好！已核对您的登记信息。{joined}"
CLAIM_JOINED = "您在 {deputy} 代表的联系选民群。"
CLAIM_NO_MATCH = "没有找到与“{name}”和这四位号码相符的登记信息，请核对后再试，或联系联络站工作人员。"
CLAIM_TAKEN = "这条登记信息已经绑定了另一个微信号，如有疑问请联系联络站工作人员。"
CLAIM_BLOCKED = "核对失败次数太多，请一小时后再试，或联系联络站工作人员。"
CLAIM_UNAVAILABLE = "暂时无法核对登记信息，请稍后再试。"
DEPUTY_BOUND = "{deputy} 代表，您好！您的微信已绑定，群众反映的意见将推送到这里。"
UNKNOWN_SCENE = "欢迎关注！这个二维码已失效或无法识别，请向联络站工作人员索取新的二维码。您也可以直接发送意见建议。"

RECEIVED_ASSIGNED = "已收到您的意见（编号 {number}），已转交 {deputy} 代表。"
RECEIVED_TRIAGE = "已收到您的意见（编号 {number}），联络站工作人员会尽快安排代表处理。"
EMPTY_TEXT = "您发送的内容是空的，请用文字或语音说说您的意见建议。"
VOICE_UNCLEAR = "抱歉，没能听清您的语音，请再说一遍，或者改用文字。"
MEDIA_RECEIVED = "已收到您发送的{what}。请再用文字或语音说明您要反映的问题，我们会一并转给代表。"
UNSUPPORTED = "暂时不支持这种消息，请发送文字或语音。"
MEDIA_NAMES = {"image": "图片", "video": "视频", "shortvideo": "小视频", "location": "位置", "link": "链接"}

DEPUTY_NEW_TICKET = "新意见 {number} [{category}] {village} {who}：{text}"
DEPUTY_NEW_TICKET_TITLE = "您有一条新的群众意见"

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
    "① 用您本人的微信扫一扫上面的二维码",
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
