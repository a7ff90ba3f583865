"""Demo data of chapter 5 (video production), made by ``manage.py seed_demo`` through the services.

Each demo client gets a few video projects at different stages: one in planning, one in scripting
with its complete script and storyboard approved, one shooting with its first clips, one in
post-production and one published as a ``clients.Video``. Every step goes through
``production.services`` and its gates, so the clips are real video files read by the probe: small
4K placeholder pictures (one flat-coloured frame a second) that meet clause 5.2, made on the spot.

Idempotent: a project is looked up by its client and title and left alone when it exists.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from decimal import Decimal
from functools import lru_cache

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from agency.models import Agency, Membership
from agency.roles import Role
from agency.tenancy import Actor, tenant_context
from clients.models import Client, ClientRequirement, PlatformAccount, Service
from production.models.post import Cut, PostStepKind, StepStatus
from production.models.projects import Stage, VideoProject
from production.models.shoots import Clip
from production.rules import CLIP_MIN_LONG_SIDE, CLIP_MIN_SHORT_SIDE, SHOOT_MIN_ACCEPTED_CLIPS
from production.services.common import latest_script
from production.services.post import cut_upload, post_step_update
from production.services.projects import project_advance, project_create
from production.services.publishing import project_publish
from production.services.review import review_comment_add, review_comment_resolve, review_round_approve
from production.services.scripts import script_approve, script_submit, script_update, storyboard_shot_add
from production.services.shoots import clip_upload, media_probe, shoot_create

PLACEHOLDER_CLIP_SECONDS = 8  # within 5.2's 7-60 s
PLACEHOLDER_CUT_SECONDS = 24
# One colour per clip of a shoot (5.2 counts the same footage once): at least SHOOT_MIN_ACCEPTED_CLIPS.
COLOURS = [
    (176, 38, 30),
    (222, 140, 40),
    (60, 120, 70),
    (40, 70, 140),
    (120, 60, 130),
    (90, 90, 90),
    (30, 130, 150),
    (200, 170, 60),
    (150, 80, 60),
]


# --- placeholder media ---------------------------------------------------------------------------


def _yuv(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b = rgb
    y = 16 + (65.738 * r + 129.057 * g + 25.064 * b) / 256
    u = 128 + (-37.945 * r - 74.494 * g + 112.439 * b) / 256
    v = 128 + (112.439 * r - 94.154 * g - 18.285 * b) / 256
    return round(y), round(u), round(v)


@lru_cache(maxsize=16)
def _video(width: int, height: int, seconds: int, colour: int) -> bytes:
    """An MP4 (H.264) of one flat colour, one frame a second: a few dozen kilobytes even in 4K."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "51"}
        frame = av.VideoFrame(width, height, "yuv420p")
        for plane, value in zip(frame.planes, _yuv(COLOURS[colour % len(COLOURS)]), strict=True):
            plane.update(bytes([value]) * plane.buffer_size)
        for index in range(seconds):
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def _clip_upload(name: str, colour: int, *, uhd: bool = True) -> SimpleUploadedFile:
    # Vertical pictures, as the platforms show them; the rejected sample is 1080p.
    width, height = (CLIP_MIN_SHORT_SIDE, CLIP_MIN_LONG_SIDE) if uhd else (1080, 1920)
    data = _video(width, height, PLACEHOLDER_CLIP_SECONDS, colour)
    return SimpleUploadedFile(name, data, content_type="video/mp4")


def _cut_upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _video(1080, 1920, PLACEHOLDER_CUT_SECONDS, 0), content_type="video/mp4")


def _cover_upload(colour: int) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (540, 960), COLOURS[colour % len(COLOURS)])
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 640, 500, 900), fill=(250, 245, 235))
    draw.ellipse((170, 200, 370, 400), fill=(250, 245, 235))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("cover.png", out.getvalue(), content_type="image/png")


def _subtitle_upload(lines: list[str]) -> SimpleUploadedFile:
    blocks = []
    for index, line in enumerate(lines):
        start, end = index * 3, index * 3 + 3
        blocks.append(f"{index + 1}\n00:00:{start:02d},000 --> 00:00:{end:02d},000\n{line}\n")
    return SimpleUploadedFile("subtitles.srt", "\n".join(blocks).encode(), content_type="application/x-subrip")


# --- content -------------------------------------------------------------------------------------

ZH = {
    "crew": "摄影：小周\n灯光：阿强\n导演：林导",
    "approve": "脚本内容和分镜都没问题，可以拍。",
    "review_comment": "锅底沸腾的特写可以再多停一秒，更有食欲。",
    "review_reply": "收到，已在终版里延长到 2 秒。",
    "review_approve": "成片很好，可以发布。",
    "sound": "配乐：轻快的民乐鼓点；现场收音降噪，人声电平统一到 -14 LUFS。",
    "colour": "整体暖色调，提高红色饱和度，夜景压暗高光。",
    "retouch_na": "画面中没有需要修饰的人物特写。",
    "retouch": "主持人肤色统一，轻度磨皮。",
    "clip": "镜头",
    "rejected": "手机备用机位（1080p）",
    "cut_notes": "第一版剪辑：按分镜顺序，时长 24 秒。",
}
EN = {
    "crew": "Camera: Leo\nLighting: Mia\nDirector: Sam",
    "approve": "Script and storyboard look right: go ahead and shoot.",
    "review_comment": "Hold the close-up of the pour a second longer, it sells the moment.",
    "review_reply": "Done: it now runs two seconds in the final cut.",
    "review_approve": "Lovely cut, ready to publish.",
    "sound": "Music: light acoustic guitar; room tone cleaned, voice levelled to -14 LUFS.",
    "colour": "Warm grade, lifted shadows, skin tones protected.",
    "retouch_na": "No close-ups of people that need retouching.",
    "retouch": "Even skin tone on the presenter, light touch only.",
    "clip": "Shot",
    "rejected": "Phone back-up angle (1080p)",
    "cut_notes": "First cut, following the storyboard, 24 s.",
}

# Per client (by name): the projects, each reaching ``stage`` through every gate before it.
PROJECTS: dict[str, list[dict]] = {
    "老街火锅": [
        {
            "stage": Stage.PUBLISHED,
            "platform": "douyin",
            "title": "冬日暖锅：一人食套餐上新",
            "brief": "推广新上线的一人食套餐，吸引附近上班族午晚餐到店。",
            "due_in": -1,
            "topic": "一个人也要好好吃火锅",
            "topic_basis": ["account_positioning", "trending"],
            "topic_reason": "账号定位是成都老街的地道火锅；“一人食”是近期本地生活热门话题。",
            "trending_topics": "#一人食 #成都美食 #冬天就要吃火锅",
            "scene_concept": "傍晚的老街门口，热气从店里冒出来；一位上班族推门进来，独享一锅红汤。",
            "screenplay": "旁白：下班了，一个人也要吃顿热乎的。\n"
            "店员端上一人份九宫格，毛肚七上八下。\n字幕：一人食套餐 ¥58，工作日全天供应。",
            "shots": [
                ("wide", "static", "3.0", "傍晚老街全景，门头灯亮起。", "", "街道环境声"),
                ("medium", "push_in", "4.0", "上班族推门进店，店员招呼。", "欢迎光临！", "门铃声"),
                ("close_up", "static", "3.0", "红汤沸腾的特写。", "", "咕嘟声"),
                ("extreme_close_up", "tilt", "2.5", "毛肚七上八下。", "七上八下，刚刚好。", ""),
                ("medium_close_up", "handheld", "3.5", "顾客满足地吃下第一口。", "", "轻快鼓点"),
            ],
            "shoot": ("老街火锅总店（成都市锦江区）", "傍晚 17:00 开拍，门头亮灯；店内二号桌布置一人份九宫格。"),
            "subtitles": ["下班了，一个人也要吃顿热乎的", "一人食套餐 ¥58", "工作日全天供应"],
            "item": "dongri-yirenshi",
        },
        {
            "stage": Stage.SCRIPTING,
            "platform": "douyin",
            "title": "新店装修首秀：包间全景",
            "brief": "客户需求：拍摄新装修的门店环境，突出包间。",
            "due_in": 14,
            "requirement": "门店新装修展示",
            "topic": "老街火锅换新装，包间带你看",
            "topic_basis": ["client_wish", "account_positioning"],
            "topic_reason": "客户提出展示新装修；包间是家庭聚餐和公司团建的卖点。",
            "trending_topics": "#成都探店 #聚餐好去处",
            "scene_concept": "从门口一镜到底走进大厅，再推开包间门，展示圆桌、屏风和老成都装饰。",
            "screenplay": "店长出镜：“老街火锅装修好了！”\n"
            "镜头跟随店长走进包间，介绍可坐 12 人。\n结尾：包间预订电话和团购入口。",
            "shots": [
                ("full", "follow", "6.0", "店长在门口招手，转身带路。", "老街火锅装修好了！", "开场音乐"),
                ("wide", "tracking", "5.0", "大厅全景，老成都装饰。", "", ""),
                ("medium", "push_in", "4.0", "推开包间门，圆桌与屏风。", "这是我们的大包间，能坐十二个人。", ""),
                ("close_up", "static", "3.0", "桌上的铜锅和菜品。", "", ""),
            ],
        },
    ],
    "花间茶饮": [
        {
            "stage": Stage.POST_PRODUCTION,
            "platform": "douyin",
            "title": "桂花乌龙新品上市",
            "brief": "秋冬新品桂花乌龙，突出桂花香气和现泡工艺。",
            "due_in": 5,
            "topic": "一口喝到秋天的桂花香",
            "topic_basis": ["account_positioning", "trending"],
            "topic_reason": "品牌定位为东方花茶；桂花季话题热度高。",
            "trending_topics": "#秋天的第一杯奶茶 #桂花季",
            "scene_concept": "杭州满觉陇桂花树下，店员现场冲泡桂花乌龙。",
            "screenplay": "特写桂花落入茶汤；店员摇茶；顾客在树下举杯。\n字幕：桂花乌龙 限时上新。",
            "shots": [
                ("extreme_close_up", "static", "3.0", "桂花落入茶汤。", "", "风铃声"),
                ("medium", "handheld", "4.0", "店员摇茶、封杯。", "", "轻音乐"),
                ("full", "orbit", "4.0", "顾客在桂花树下举杯。", "一口喝到秋天。", ""),
            ],
            "shoot": ("杭州满觉陇 · 花间茶饮门店", "上午 9 点顺光拍摄，桂花树下摆放品牌茶车。"),
            "subtitles": ["桂花乌龙 限时上新", "一口喝到秋天"],
        },
        {
            "stage": Stage.PLANNING,
            "platform": "douyin",
            "title": "年货礼盒开箱",
            "brief": "年货礼盒预售预热，开箱展示六款茶饮冻干和周边。",
            "due_in": 30,
        },
    ],
    "云上家居": [
        {
            "stage": Stage.SHOOTING,
            "platform": "douyin",
            "title": "小户型沙发怎么选",
            "brief": "为直播间引流：三分钟讲清小户型沙发的尺寸、面料和摆放。",
            "due_in": 10,
            "topic": "小户型沙发避坑指南",
            "topic_basis": ["account_positioning", "client_wish"],
            "topic_reason": "账号定位为家居选购干货；客户希望为周末直播引流。",
            "trending_topics": "#小户型装修 #沙发推荐",
            "scene_concept": "佛山展厅样板间，主播用卷尺现场量尺寸，对比三款沙发。",
            "screenplay": "主播：“小户型买沙发，先量这三个尺寸。”\n"
            "逐一演示坐深、扶手宽、过道宽。\n结尾：周六晚八点直播间见。",
            "shots": [
                ("medium", "static", "5.0", "主播站在样板间，拿出卷尺。", "小户型买沙发，先量这三个尺寸。", ""),
                ("close_up", "push_in", "4.0", "卷尺量坐深。", "坐深 55 到 60 厘米最舒服。", ""),
                ("wide", "pan", "5.0", "三款沙发并排对比。", "", "轻音乐"),
            ],
            "shoot": ("佛山乐从家具城 · 云上家居展厅", "样板间 A、B 两套布景，补光两盏。"),
            "first_clips": 2,
        },
    ],
    "Harbor Coffee": [
        {
            "stage": Stage.PUBLISHED,
            "platform": "tiktok",
            "title": "Morning pour-over ritual",
            "brief": "Show the slow-bar pour-over to bring the weekday breakfast crowd in.",
            "due_in": -1,
            "topic": "Four minutes that start the day right",
            "topic_basis": ["account_positioning", "trending"],
            "topic_reason": "The account is about the craft behind the cup; slow-morning videos are trending.",
            "trending_topics": "#slowmorning #pourover #coffeetok",
            "scene_concept": "Sunrise light on the slow bar; a barista weighs, grinds and pours while the city wakes.",
            "screenplay": "Voice-over: 'Four minutes. That's all a good morning needs.'\n"
            "Close on the bloom, the spiral pour, the first sip.\nTitle: Pour-over, every weekday from 7:30.",
            "shots": [
                ("wide", "static", "3.0", "The shop at sunrise, shutters going up.", "", "Street ambience"),
                ("close_up", "static", "3.0", "Beans poured onto the scale.", "", "Grinder"),
                ("extreme_close_up", "push_in", "4.0", "The bloom rising in the dripper.", "", "Soft guitar"),
                ("medium", "handheld", "3.5", "Spiral pour, steam in the light.", "Four minutes.", ""),
                ("medium_close_up", "static", "3.0", "A guest takes the first sip and smiles.", "", ""),
            ],
            "shoot": (
                "Harbor Coffee, Shekou store",
                "Start 6:45 for the sunrise; slow bar by the window, one reflector.",
            ),
            "subtitles": ["Four minutes.", "That's all a good morning needs.", "Pour-over, weekdays from 7:30"],
            "item": "morning-pour-over",
        },
        {
            "stage": Stage.SHOOTING,
            "platform": "tiktok",
            "title": "Latte art challenge",
            "brief": "Baristas go head to head on latte art; guests vote in the comments.",
            "due_in": 9,
            "topic": "Tulip vs rosetta: you decide",
            "topic_basis": ["trending", "account_positioning"],
            "topic_reason": "Challenge formats drive comments; the account shows the team's craft.",
            "trending_topics": "#latteart #baristachallenge",
            "scene_concept": "Two baristas side by side at the bar, a timer between them.",
            "screenplay": "Countdown; both pour; reveal side by side.\nTitle: Which one wins? Vote below.",
            "shots": [
                ("medium", "static", "4.0", "Two baristas ready, timer on the counter.", "Three, two, one!", ""),
                ("close_up", "static", "6.0", "Both pours in split screen.", "", "Ticking"),
                ("medium_close_up", "orbit", "4.0", "The two cups side by side.", "Which one wins?", ""),
            ],
            "shoot": ("Harbor Coffee, Shekou store", "Bar cleared, two machines warmed up, timer prop."),
            "first_clips": 2,
        },
    ],
    "Lumen Skincare": [
        {
            "stage": Stage.POST_PRODUCTION,
            "platform": "xiaohongshu",
            "title": "Night repair serum: a seven-day test",
            "brief": "A week-long diary with the new night serum, honest and unfiltered.",
            "due_in": 6,
            "topic": "Seven nights with the night repair serum",
            "topic_basis": ["account_positioning", "client_wish"],
            "topic_reason": "The account's voice is evidence-led skincare; the client wants the launch covered.",
            "trending_topics": "#skincarediary #nightroutine",
            "scene_concept": "A calm bathroom at night; the same framing each evening so the days compare.",
            "screenplay": "Day 1 to day 7, the same routine; a close-up of the skin each morning.\n"
            "Title: Results vary.",
            "shots": [
                ("medium", "static", "4.0", "Presenter at the mirror, evening light.", "Day one.", "Soft piano"),
                ("close_up", "static", "3.0", "Two drops of serum on the fingertips.", "", ""),
                ("extreme_close_up", "static", "3.0", "Morning skin close-up.", "", ""),
            ],
            "shoot": ("Lumen studio, Shanghai", "Bathroom set, fixed camera position marked on the floor."),
            "subtitles": ["Day one", "Two drops, every night", "Results vary"],
        },
        {
            "stage": Stage.SCRIPTING,
            "platform": "xiaohongshu",
            "title": "Sunscreen myths, busted",
            "brief": "Five common sunscreen myths answered by the brand's formulator.",
            "due_in": 16,
            "topic": "Five sunscreen myths you still believe",
            "topic_basis": ["account_positioning", "trending"],
            "topic_reason": "Myth-busting posts save well on Xiaohongshu and fit the account's expert voice.",
            "trending_topics": "#sunscreen #skincaremyths",
            "scene_concept": "The formulator at a lab bench, one myth per card.",
            "screenplay": "Card 1: 'Cloudy days don't need sunscreen.' Formulator: 'False, and here's why.'\n"
            "Repeat for five cards; end on the SPF shelf.",
            "shots": [
                ("medium", "static", "5.0", "Formulator holds up the first myth card.", "Myth one.", ""),
                ("close_up", "static", "4.0", "UV camera showing sunscreen coverage.", "", ""),
                ("wide", "pull_out", "4.0", "The SPF shelf.", "Wear it every day.", "Outro music"),
            ],
        },
        {
            "stage": Stage.PLANNING,
            "platform": "bilibili",
            "title": "Behind the lab: how a serum is made",
            "brief": "A longer Bilibili piece: from formula to filling line.",
            "due_in": 35,
        },
    ],
}


# --- helpers -------------------------------------------------------------------------------------


def _actor(agency: Agency, user) -> Actor:
    return Membership.objects.select_related("agency", "user").get(user=user, agency=agency).as_actor()


def _approver(agency: Agency, client: Client, people: dict) -> Actor:
    """The client's own approver when the demo has one for this client, else the account manager."""
    approver = people.get(Role.CLIENT_APPROVER)
    if approver is not None:
        membership = Membership.objects.filter(user=approver, agency=agency, client_id=client.pk).first()
        if membership is not None:
            return membership.as_actor()
    return _actor(agency, people[Role.ACCOUNT_MANAGER])


def _as(actor: Actor):
    return tenant_context(actor.agency, actor=actor, channel="command")


def _probe(model, row) -> None:
    """Read the file now (the probe task's body), so the gates see its facts; the task sent when
    the seed commits finds it read and changes nothing."""
    media_probe(model=model, pk=row.pk)


def _account(client: Client, platform: str) -> PlatformAccount | None:
    return PlatformAccount.objects.filter(client=client, platform=platform).order_by("pk").first()


def _script(spec: dict, project: VideoProject, producer: Actor, approver: Actor, text: dict, made: Counter):
    requirement = None
    if spec.get("requirement"):
        requirement = ClientRequirement.objects.filter(client_id=project.client_id, title=spec["requirement"]).first()
    with _as(producer):
        script = script_update(
            actor=producer,
            script=latest_script(project),
            topic=spec["topic"],
            topic_basis=spec["topic_basis"],
            topic_reason=spec["topic_reason"],
            trending_topics=spec.get("trending_topics", ""),
            requirement=requirement,
            scene_concept=spec["scene_concept"],
            screenplay=spec["screenplay"],
        )
        for size, movement, seconds, picture, dialogue, sound in spec["shots"]:
            storyboard_shot_add(
                actor=producer,
                script=script,
                shot_size=size,
                camera_movement=movement,
                duration_seconds=Decimal(seconds),
                picture=picture,
                dialogue=dialogue,
                sound=sound,
            )
            made["storyboard shots"] += 1
        script_submit(actor=producer, script=script)
    with _as(approver):
        script_approve(actor=approver, script=script, comment=text["approve"])
    made["approved scripts"] += 1


def _shoot(spec: dict, project: VideoProject, producer: Actor, today: dt.date, text: dict, made: Counter):
    location, setup = spec["shoot"]
    shoot = shoot_create(
        actor=producer,
        project=project,
        date=today - dt.timedelta(days=2),
        location=location,
        scene_setup=setup,
        crew=text["crew"],
    )
    made["shoots"] += 1
    return shoot


def _upload_clips(shoot, count: int, text: dict, producer: Actor, made: Counter, *, rejected: bool = False) -> None:
    for number in range(1, count + 1):
        clip = clip_upload(
            actor=producer,
            shoot=shoot,
            file=_clip_upload(f"clip_{number:02d}.mp4", number),
            label=f"{text['clip']} {number}",
        )
        _probe(Clip, clip)
        made["clips"] += 1
    if rejected:
        clip = clip_upload(
            actor=producer, shoot=shoot, file=_clip_upload("backup_phone.mp4", 5, uhd=False), label=text["rejected"]
        )
        _probe(Clip, clip)
        made["clips"] += 1


def _step(project: VideoProject, kind: str):
    return project.steps.get(kind=kind)


def _post_production(spec: dict, project: VideoProject, producer: Actor, text: dict, *, finish: bool) -> None:
    post_step_update(
        actor=producer,
        step=_step(project, PostStepKind.SUBTITLES),
        status=StepStatus.DONE,
        evidence_file=_subtitle_upload(spec["subtitles"]),
    )
    post_step_update(
        actor=producer, step=_step(project, PostStepKind.SOUND), status=StepStatus.DONE, evidence_note=text["sound"]
    )
    if not finish:
        post_step_update(
            actor=producer, step=_step(project, PostStepKind.COLOUR_GRADING), status=StepStatus.IN_PROGRESS
        )
        return
    post_step_update(
        actor=producer,
        step=_step(project, PostStepKind.COLOUR_GRADING),
        status=StepStatus.DONE,
        evidence_note=text["colour"],
    )
    post_step_update(
        actor=producer, step=_step(project, PostStepKind.COVER), status=StepStatus.DONE, evidence_file=_cover_upload(0)
    )
    post_step_update(
        actor=producer,
        step=_step(project, PostStepKind.RETOUCHING),
        status=StepStatus.NOT_APPLICABLE,
        not_applicable_reason=text["retouch_na"],
    )


def _cut(project: VideoProject, producer: Actor, text: dict, made: Counter) -> Cut:
    cut = cut_upload(actor=producer, project=project, file=_cut_upload("cut_v1.mp4"), notes=text["cut_notes"])
    _probe(Cut, cut)
    made["cuts"] += 1
    return cut


def _review_and_publish(spec, project, producer, approver, account, text, made) -> None:
    round_ = project.review_rounds.get()
    with _as(approver):
        comment = review_comment_add(
            actor=approver, round=round_, body=text["review_comment"], timecode_seconds=Decimal("6.5")
        )
    with _as(producer):
        review_comment_add(actor=producer, round=round_, body=text["review_reply"], parent=comment)
        review_comment_resolve(actor=producer, comment=comment)
    with _as(approver):
        review_round_approve(actor=approver, round=round_, comment=text["review_approve"])
    with _as(producer):
        item = f"{account.handle}-{spec['item']}"
        project_publish(
            actor=producer,
            project=project,
            platform_item_id=item,
            url=f"https://example.com/{account.platform}/{account.handle}/{spec['item']}",
            published_at=timezone.now() - dt.timedelta(hours=3),
        )
    made["published videos"] += 1


def _project(agency: Agency, client: Client, spec: dict, people: dict, today: dt.date, made: Counter) -> None:
    text = ZH if agency.language.startswith("zh") else EN
    account = _account(client, spec["platform"])
    if account is None or VideoProject.objects.filter(client=client, title=spec["title"]).exists():
        return
    producer = _actor(agency, people[Role.PRODUCER])
    approver = _approver(agency, client, people)
    target = spec["stage"]
    with _as(producer):
        project = project_create(
            actor=producer,
            account=account,
            title=spec["title"],
            due_date=today + dt.timedelta(days=spec["due_in"]),
            assignee=None if target == Stage.PLANNING else producer.user,
            brief=spec["brief"],
        )
        made["video projects"] += 1
        if target == Stage.PLANNING:
            return
        project_advance(actor=producer, project=project, stage=Stage.SCRIPTING)
    _script(spec, project, producer, approver, text, made)
    if target == Stage.SCRIPTING:
        return
    with _as(producer):
        shoot = _shoot(spec, project, producer, today, text, made)
        project_advance(actor=producer, project=project, stage=Stage.SHOOTING)
        if target == Stage.SHOOTING:
            _upload_clips(shoot, spec.get("first_clips", 2), text, producer, made, rejected=True)
            return
        _upload_clips(shoot, SHOOT_MIN_ACCEPTED_CLIPS, text, producer, made)
        project_advance(actor=producer, project=project, stage=Stage.POST_PRODUCTION)
        finish = target != Stage.POST_PRODUCTION
        _post_production(spec, project, producer, text, finish=finish)
        _cut(project, producer, text, made)
        if not finish:
            return
        project_advance(actor=producer, project=project, stage=Stage.CLIENT_REVIEW)
    _review_and_publish(spec, project, producer, approver, account, text, made)


def seed(*, agency: Agency, clients: list[Client], people: dict) -> Counter:
    """Make the demo video projects of ``agency``'s clients (idempotent); returns what was made."""
    made: Counter = Counter()
    today = agency.today()
    with translation.override(agency.language):
        for client in clients:
            if Service.VIDEO_PRODUCTION not in client.services:
                continue
            for spec in PROJECTS.get(client.name, []):
                _project(agency, client, spec, people, today, made)
    return made
