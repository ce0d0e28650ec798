"""Hand-written rules: urgency, obvious intents and question topics.

Rules sit next to the trained models for the cases where a miss is costly
(urgency: recall over precision) or where the answer is fixed by form (a bare
"5" is a rating, an emoji alone is a greeting).
"""

from __future__ import annotations

import re

# Danger to life or property: always reaches a person at once. Recall first:
# a false alarm costs a staff member a glance, a miss can cost a life.
_URGENT = re.compile(
    "|".join(
        [
            r"(煤气|燃气|天然气|液化气|沼气|气罐|管道气|毒气|氨气|氯气).{0,6}(漏|泄|爆|闻到|味)",
            r"漏气|泄漏|泄露|爆炸|炸了|爆燃",
            r"(?<![不没])着火|起火|失火|火灾|烧起来|火烧|冒烟着火|火势|大火|山火|火情",
            r"倒塌|坍塌|塌方|塌陷|垮塌|塌了|倒了.{0,4}(房|墙|楼|桥)|(房|墙|楼|桥|屋顶|房顶).{0,4}(要塌|快塌|要倒|快倒|塌|倒了|裂开)",
            r"山体滑坡|滑坡|泥石流|落石|地陷",
            r"洪水|发大水|涨大水|决堤|溃坝|溃堤|漫堤|管涌|水淹|淹了|被淹|进水.{0,4}(房|屋|家)|(家|屋|房)里?进水|漫过|漫进|冲垮|冲走|内涝",
            r"触电|漏电|电死|电线.{0,6}(掉|断|落|垂|拖地|冒火|打火)|高压线.{0,6}(掉|断|落|垂|拖地)|被电",
            r"溺水|掉进.{0,4}(河|塘|井|水库)|落水|淹死",
            r"中毒|一氧化碳|晕倒|昏迷|不省人事|没气了|没有呼吸|大出血",
            r"被困|困在|救命(?!钱|稻草|恩)|快来人|出人命|要死人|有人死|人命关天|有人受伤|砍人|持刀|拿刀|杀人|打死",
            r"危险化学品.{0,6}(漏|泄|翻)|槽罐车.{0,6}(翻|漏)",
            r"掉(进|到|在|下)?.{0,3}(河|塘|井|水库|水里|沟|坑|粪池|窖)|跳河|跳楼|跳井|轻生|自杀|寻死|上吊|喝(了)?农药",
            r"(电|线|变压器|配电|电表|插座|房|屋|家|车|厨房|楼).{0,4}(冒烟|冒火|火花|打火)|电线.{0,4}烧",
            r"出血|流血|满身是血|血流|咬伤|砸伤|砸到人|砸死|压到人|压住人|摔倒.{0,6}(起不来|昏|不动)|起不来了",
            r"(坝|堤|桥|堰|塘).{0,4}(垮|冲断|冲毁|决口|裂)|冲断|冲毁|决口|要垮|垮了",
            r"掀(了|翻|掉|飞)|刮倒|(脚手架|塔吊|围墙|广告牌|树).{0,4}(倒|塌)",
            r"(锅炉|气瓶|罐|瓶).{0,4}(爆|炸)|要爆",
            r"危急|快来(人|救|帮)|赶紧来(人|救)|快打1[12]0|快打119",
            # The same dangers as people in a panic put them, without the textbook word.
            # Each tied to what it is about: "气管破了" but not "天然气断了三天了" (a cut supply).
            r"(天然气|燃气|煤气|液化气|气管).{0,8}(破了|裂了|冒|呲|嘶)|(气管|管道|管子).{0,3}(挖断|断了)|往外冒气",
            r"(垛|房|屋|车|山|树|林|柴|草|棚|仓|厂).{0,3}(?<![不找睡点打])着了|快烧到|烧到.{0,3}(房|屋|家|人)|往外冒火|火苗|火.{0,3}(没灭|还在烧|越烧越)",
            r"(马上|眼看|快要?|就要)(塌|倒|垮)(?!闭|霉|台)|(石头?|土|瓦|墙|山|坡|泥).{0,4}往下(掉|滑|塌|垮)|越裂越大|"
            r"(房梁|大梁|柱子|房顶|屋顶).{0,3}(断|裂)",
            r"(下去|进去|掉进去).{0,4}(没上来|没出来)|(?<![工商家客])人.{0,4}(卡在|压在|埋在|困在)|被埋|困住|"
            r"(人|娃|孩子|老人|司机|俺爹|俺娘|俺妈).{0,6}(出不来|卡住)",
            r"摔下来|摔断|骨折|腿断|胳膊断|头破|见血|流了.{0,3}血|血流不止|砸着|砸伤|砸到|卷进|被车撞|撞倒.{0,3}人|车翻|翻沟",
            r"叫不醒|喊不醒|没反应了|抽搐|口吐白沫|肚子疼得|打滚|(吃|喝).{0,6}(毒|野)蘑菇",
            r"要打人|打人了|打起来|拿着?刀|举着刀|动刀|砸门|要杀人|要砍人|要弄死|(拿着?|举着?)(砖|棍|锄头|斧|铁锹).{0,6}(打|砸|砍|追|要)",
            r"掉下去|冰面裂|冰窟窿|透水(?!砖)|漫到.{0,3}(门|屋|房|家|炕|院|床)|漫进|水已经.{0,4}(漫|淹|进屋|进院|到(门|炕|床|膝|腰))",
            r"(老人|大爷|大娘|奶奶|爷爷|老汉|老头|老太|老娘|俺娘|俺爹|俺妈|老伴|独居|一个人住).{0,10}"
            r"(没开门|没人应|没出门|没见|不接电话|联系不上|打不通)",
            # Sudden illness as people describe it.
            r"胸口(疼|痛|闷)|喘不上气|喘不过气|冒冷汗|心脏病犯|犯病了|中风|说不出话|半边身子|脸都紫了|水往.{0,4}(灌|涌)",
        ]
    )
)

# A danger that is over, or one to prevent: "去年发大水冲坏的桥还没修",
# "建议宣传一下防煤气中毒". Only when nothing says it is happening now, since
# a missed alarm costs more than a false one.
# Words that are ambiguous in a panic ("保险丝烧了", "吓死了 房子塌了", "后来就
# 着火了") are left out on purpose.
_HISTORY = re.compile(
    r"去年|前年|上个?月|上回|上次|前些天|前几天|前段时间|那次|那场|之前|以前|过后|灾后|当年|曾经|"
    r"(烧|淹|塌|冲|炸|砸|撞)过(?![来去膝腰])|重修|重建|补种|修复|咋赔|怎么赔|理赔|赔偿|补助|补贴|报损|报销|"
    r"宣传|预防|防止|防范|演练|讲座|安全教育|隐患排查|防(煤气|溺水|触电|中毒)|装个?(报警器|护栏|围栏)|立个?警示牌|"
    # Somewhere else, a dream, or a figure of speech.
    r"听说|新闻|电视上|报纸|外省|邻县|隔壁乡|梦见|做梦|火烧眉毛|笑死|累死|热死|冷死|没事了|"
    # What if, and what follows a loss.
    r"万一|要是|如果|上个?(礼拜|星期|周)|赔不赔|能赔|丧葬|抚恤"
)
_NOW = re.compile(
    r"(?<!到)现在|正在|马上|快来|赶紧|救命|刚刚|刚才|刚|又|还在|还(拖|挂|冒|漏|往)|越来越|今天|今早|今晚|这下|这会|眼下|眼看|快(烧|塌|倒|垮)"
)

# Bare ratings: a digit 1-5 or a Chinese numeral with optional 分/星.
_RATING_NUMBER = re.compile(r"^(打|给|评)?([1-5]|[一二三四五两])(分|星|颗星)?(好评)?$")
_RATING_WORDS = re.compile(
    r"^(办得|弄得|处理得|搞得)?(非常|很|特别|十分|比较|基本|还算|挺)?(不)?(满意|不错|好评|差评|一般|还行|还可以|满分|五星好评|五星|好)$"
    r"|^(办得|弄得|处理得|搞得)?(很|挺|太)?不(咋地|咋样|怎么样)$|^(凑合|马马虎虎|一般般|还凑合|就那样)$"
)
_STARS = re.compile(r"^[★☆⭐]{1,5}$")
# A verdict first, then a few words of thanks or reason: "满意 感谢代表跑前跑后".
_RATING_LEAD = re.compile(r"^((非常|很|特别|挺|比较|还算)?不?满意(?!度)|(给|打|评)?[1-5一二三四五](分|星|颗星)(?![钟钱地期之毛亩斤块])|五星好评|好评|差评)")

# Short social messages that need a friendly answer and no ticket.
_GREETING = re.compile(
    r"^(你好|您好|代表好|大家好|早上好|早安|中午好|下午好|晚上好|晚安|谢谢|多谢|感谢|太感谢|非常感谢|谢啦|辛苦|"
    r"好的|好嘞|好滴|收到|知道了|明白|了解|嗯|哈|在吗|在不在|有人吗|ok|okay|hi|hello|再见|拜拜|新年好|过年好|"
    r"节日快乐|中秋快乐|春节快乐|麻烦了|麻烦你|没事了|没问题|行|对|是的|赞|点赞|微笑|抱拳|握手|玫瑰|强|"
    r"你|您|们|你们|代表|了|呀|啊|呢|吧|啦|哦|的|喽|嘛|一下|非常|很|太|大家|都|同志|书记|主任|"
    r"微笑|呲牙|偷笑|愉快|憨笑|鼓掌|合十|爱心|ok|嗨|哈喽|周末|快乐|平安|一生|好人|健康|身体|如意|吉祥|顺利|"
    r"来打个招呼|打个招呼|刚关注|关注|吃了没|吃了吗|吃饭了吗|祝|工作)+$"
)

# Question topics the bot can answer itself.
_TOPICS = (
    ("progress", re.compile(r"进展|进度|到哪一步|处理得?怎么样|办得?怎么样|有结果|有回复|回复了吗|工单|处理了吗|有人接手|什么状态|转给谁|收到我的")),
    ("reception_day", re.compile(r"接待日|接待时间|接待选民|值班|哪天接待|几号接待|(哪天|几号|什么时候|星期几|几点).{0,8}(找|见|接待|在站|在联络)|(代表|联络站|联络点).{0,6}(哪天|几号|几点|礼拜几|星期几|周几|在不在|啥时候来|什么时候来)|"
                                r"(\d+号|几号|哪天|那天|明天|后天|星期.|礼拜.|周[一二三四五六日天]).{0,6}(代表|站里|联络).{0,4}(在吗|在不在|来吗|来不来|在站)")),
    ("site_location", re.compile(r"(联络站|联络点|工作站|代表站|代表之家).{0,8}(在哪|在什么|地址|位置|怎么走|坐什么|电话|哪个)|(联络站|联络点).{0,2}在.{1,8}吗|哪个联络点|去哪个联络|归哪个")),
    (
        "benefits",
        re.compile(
            r"(怎么|咋|如何|怎样|去哪|在哪|哪里|要什么|要带什么|带什么|需要什么|什么条件|啥条件|啥材料|什么材料|什么程序|多大年纪|哪些人)"
            r".{0,8}(申请|办(?=理|证|卡|手续|下来)|(?<!怎么)(?<!咋)办|领|交|报销|续费|条件|材料|程序)|(报销|申请|办理|办).{0,4}(要带什么|带什么|要什么)|(要|需要|得)(准备|带|交|提供)?(什么|哪些|啥)(材料|手续|证件|条件|资料)|"
            r"(申请|办理|领取).{0,10}(要|需要).{0,4}(什么|啥|哪些)"
        ),
    ),
)

# Questions about the service itself: what the account does, who the voter's
# deputy is, whether a real name is needed, whether voice works. Answered by
# the bot, never filed. Each pattern is tied to the account, the deputy or the
# way of reporting, so that a complaint that merely mentions them ("村里的代表
# 不管事", "怎么反映都没人管", "希望代表帮我们反映") stays an opinion.
_ACCOUNT = r"(公众号|这个号|这号|该号|这个平台|这平台|小程序|小助手|这个助手)"
_SERVICE = (
    ("deputy", re.compile(
        r"代表是(谁|哪位|哪个|哪一位|啥人|什么人)|(谁|哪位|哪个)是(我|我们|俺|俺们|咱|咱们|我们村|俺村|咱村)?的?(人大)?代表|"
        r"(我|俺|咱)(们)?(村)?的?(人大)?代表(叫|姓)(啥|什么)|(联系|负责)(我|俺|咱)(们)?(村)?的?(人大)?代表是|"
        r"(怎么|咋|如何|怎样|去哪|在哪)(儿)?(才能)?(联系|找)(上|到)?(我|俺|咱)?(们)?(村)?的?(人大)?代表(?![\w]{0,3}(都|也))|"
        r"找(哪个|哪位|谁)代表|(代表|你们)(能|会)(帮|给)?(我们|俺们|咱们?)?(做|干|办)(什么|啥)")),
    ("anonymous", re.compile(
        r"(匿名|实名|真名|真实姓名|留名|署名|(写|留|报|说|填)(上|出)?(我的|自己的?)?(名字|姓名)).{0,4}([吗么嘛]|行不行|可以不|可不可以|能不能|要不要|行不)|"
        r"(可以|能|能不能|可不可以|要不要|需不需要|用不用|必须|一定要|非得|得)(.{0,4})(匿名|实名|真名|真实姓名|留名|署名|(写|留|报|说|填)(上|出)?(我的|自己的?)?(名字|姓名))|"
        r"(会不会|会)(让|被)?.{0,4}知道是(我|俺)(反映|说|举报|提)")),
    ("voice", re.compile(
        r"(发|用|说|录|传)(个|条|段)?(语音|声音|照片|图片|相片|视频)(也)?(可以|行|能|管用|好使)?(吗|么|嘛|不行|行不行|可以不|可不可以)|"
        r"(能|可以|能不能|可不可以|行不行|会不会)(发|用|说|录|传)(个|条|段)?(语音|照片|图片|相片|视频)|^语音(也)?(可以|行)")),
    ("about", re.compile(
        rf"{_ACCOUNT}.{{0,4}}(干啥|干什么|做什么|做啥|干嘛|有什么用|有啥用|(能|可以)(干|做|办)(什么|啥)|怎么用|咋用|如何用|怎么使用|是什么|是啥)|"
        rf"(怎么|咋|如何|怎样)(用|使用|操作)(这个|这|你们的?|该)?{_ACCOUNT}|(你们|人大代表|代表)(是|这是)?(干|做)(什么|啥)的|"
        r"(怎么|咋|如何|怎样|在哪|去哪|到哪)(儿|里)?(才能|可以|能)?(反映|留言|提意见|提建议|投诉)(问题|情况|意见|建议|事情)?[吗呢啊呀]*$|"
        r"(怎么|咋|如何|怎样)(给|向|跟|和)(代表|你们)(留言|反映|说|提)|"
        r"(能|可以)反映(什么|哪些|啥)|(在这里?|在这儿)(说|发|反映)的?.{0,4}(代表)?(能|会)(看到|收到|看见)|(代表|你们)(能|会)(看到|收到|看见)(吗|不)")),
)
# The whole message is a request for instructions: "帮助", "使用说明", "怎么用".
_SERVICE_BARE = re.compile(r"^(帮助|求帮助|help|使用说明|说明|使用帮助|用法|功能|功能介绍|菜单|怎么用|咋用|如何使用|怎么使用|"
                           r"怎么操作|操作说明|使用方法|说明书)[吗呢啊呀]*$")
_CLAUSE = re.compile(r"[，,。.？?！!；;、\s]+")


def service_aspect(text: str) -> str | None:
    """What a question about the service asks: deputy | anonymous | voice | about, or None."""
    compact = re.sub(r"[\W_]+", "", text[:80].lower())
    if _SERVICE_BARE.match(compact):
        return "about"
    for clause in _CLAUSE.split(text):
        for aspect, pattern in _SERVICE:
            if pattern.search(clause):
                return aspect
    return None


def without_service_questions(text: str) -> str:
    """The clauses of a message that do not ask about the service: what is left
    of "我们村的代表是谁？路灯坏了半年没人修" is the matter to file."""
    return "，".join(c for c in _CLAUSE.split(text) if c and service_aspect(c) is None)


# Markers that a message chases or extends an earlier one.
_FOLLOWUP = re.compile(
    r"^(补充|再补充|另外|对了|再(发|补|说)|接着(上面|刚才|前面)|还有一件|还有个事|还有[，,、 ]|再催|催一下|麻烦再|继续反映)|"
    # Pointing back to the voter's own message: "上次反映的", not "村里之前说要修路".
    r"(上次|上回|之前|前天|昨天|前几天|上个?(礼拜|星期|周|月))(说|反映|提|讲|报)(的|过)|上回(那个|的事)|刚才(说|发|忘)|"
    r"^又来(问|催)|^.{0,4}(写|说|打|发)错了|^就在|(上午|早上|下午|晚上|昨天|前天)发的|刚(说|发)的(语音|照片|视频|图|那个|事)|再(说|反映)(一下|一遍|一次)|还是那个|"
    r"跟(上次|上回|之前|前几天)(一样|那样|说的)|跟你们说(过|的)|催催|催一催|再催|^补个|补一句|加一句|说好.{0,10}这都|"
    r"还是没(人|解决|修)|还是不(亮|通|行|管)|(怎么|咋)还没(人|来|修|处理|回|信|动静)"
)

# Some sign that a message asks something: a question word or particle, an
# A-not-A form ("在不在"), a trailing 不/没, or a request to look something up.
# A "question" with none of these is a statement the model misread.
_ASKS = re.compile(
    r"[?？吗嘛呢么啥哪几谁咋]|什么|怎|多少|多久|多长|多大|多远|了没|([^\W\d_])[不没]\1|可以不可以|"
    r"是否|请问|问一下|问下|打听|想知道|咨询|如何|为何|为什么|查一?下|发我|发个|帮我看|[不没]有?[\W_]*$"
)

# A thank-you that goes on to say something is still wrong is not small talk.
_STILL_WRONG = re.compile(r"但是|可是|不过|还是|没有|没人|怎么|不亮|不通|坏")


def is_urgent(text: str) -> bool:
    return bool(_URGENT.search(text)) and not is_past_or_elsewhere(text)


def is_past_or_elsewhere(text: str) -> bool:
    """Danger words about something over, prevented, elsewhere or figurative,
    with nothing that says it is happening now."""
    return bool(_HISTORY.search(text)) and not _NOW.search(text)


def rule_intent(compact: str) -> str | None:
    """Intent fixed by form alone, from text with punctuation and spaces removed."""
    bare = bare_form(compact)
    if bare:
        return bare
    if len(compact) <= 16 and _RATING_LEAD.match(compact):
        return "rating"  # a verdict first, then a few words
    return None


def bare_form(compact: str) -> str | None:
    """A message that is nothing but a greeting or a score: an emoji, "5分", "你好"."""
    if not compact or compact in ("好", "好好", "嗯好"):
        return "greeting"  # emoji, stickers, punctuation or a bare "ok"
    if _RATING_NUMBER.match(compact) or _STARS.match(compact) or _RATING_WORDS.match(compact.rstrip("了吧啊")):
        return "rating"
    # The length guard also bounds _GREETING's backtracking (its words overlap).
    if len(compact) <= 12 and _GREETING.match(compact):
        return "greeting"
    return None


# A benefits question names the benefit: "路灯坏了怎么办" is not one.
_BENEFIT_WORDS = re.compile(r"低保|五保|特困|医保|新农合|合作医疗|养老|社保|补贴|补助|残疾|救助|高龄|优抚|危房|改厕|证|保险|报销|津贴|金|户口|退役|困难")


def names_a_benefit(text: str) -> bool:
    return bool(_BENEFIT_WORDS.search(text))


def question_topic(text: str) -> str | None:
    for topic, pattern in _TOPICS:
        if pattern.search(text):
            return topic
    return "service" if service_aspect(text) else None


def looks_like_followup(text: str) -> bool:
    return bool(_FOLLOWUP.search(text))


def asks(text: str) -> bool:
    return bool(_ASKS.search(text))


def still_wrong(text: str) -> bool:
    return bool(_STILL_WRONG.search(text))
