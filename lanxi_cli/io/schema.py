"""`lanxi schema plan|tasks|report|…`: the JSON Schema of a data file.

pydantic generates it from the same dataclasses that validate the files
(load.validate), so the schema and the checker cannot disagree; this module
only puts Chinese titles and descriptions on it, for editors that check YAML
as it is typed (VS Code's YAML extension, via yaml-language-server).
"""

from __future__ import annotations

# class → (title, description, {field: description}); every field needs one (tested).
TEXTS: dict[str, tuple[str, str, dict[str, str]]] = {
    "Plan": ("计划（plan.yaml）", "一份实施方案：镇、活动期、单位名册、旬报规则、考核办法等。", {
        "town": "镇（乡、街道）名称，如 兰溪镇",
        "title": "方案标题",
        "campaign": "活动期：开始和结束日期",
        "units": "单位名册：每个村（社区）、部门和其他单位",
        "groups": "单位组：任务清单中代表多个单位的名称，如 各村（社区）",
        "county": "所属县（区）",
        "city": "所属市",
        "issuer": "发文机关",
        "doc_code": "发文机关代字，如 兰禁毒办：通报的文号即 兰禁毒办〔2020〕5号",
        "notice_title": "通知标题",
        "notice_number": "通知的文号，照印发的原样写，如 兰政发〔2020〕12号；原件没有文号的不写",
        "issued": "印发日期 YYYY-MM-DD",
        "addressees": "主送单位",
        "implements": "所落实的上级方案",
        "due_soon_days": "“即将到期”的天数（含当天），默认 7",
        "goals": "工作目标及其指标",
        "organisation": "组织领导",
        "phases": "工作阶段",
        "assessment": "考核评估办法",
        "requirements": "工作要求",
        "progress_reports": "旬报规则：谁在每月哪几天前向谁报告进展",
        "liaison": "联络员要求",
        "units_source": "单位名单的出处",
        "evidence": "佐证材料：允许的文件类型和大小上限",
        "receipt": "签收：通知印发后几天内应签收",
        "timezone": "显示时间所用的时区，默认 Asia/Shanghai（北京时间）",
        "reply_days": "督办通知单的回复时限：印发后几日内回复，默认 3",
    }),
    "Liaison": ("联络员", "单位的专项行动联络员。", {
        "name": "姓名", "phone": "电话", "leader": "分管领导（台账的责任领导）",
    }),
    "Unit": ("单位", "一个村、社区、部门或其他单位。", {
        "name": "规范名称（不含 / \\ .. 等字符）",
        "kind": "类型：village 村、community 社区、department 部门、other 其他单位",
        "aliases": "别名：方案中的其他写法，如 派出所",
        "liaison": "联络员",
        "note": "说明",
    }),
    "Group": ("单位组", "代表多个单位的名称：按类型包括全部单位，或逐个列出成员。", {
        "name": "名称，如 各村（社区）",
        "aliases": "其他写法",
        "kinds": "包括这些类型的全部单位",
        "members": "另外逐个列出的成员单位",
    }),
    "Span": ("时段", "一段日期，首尾两天都包括在内。", {
        "start": "开始日期 YYYY-MM-DD", "end": "结束日期 YYYY-MM-DD", "text": "原文", "note": "说明（解读的理由）",
    }),
    "Phase": ("工作阶段", "方案划分的一个阶段。", {
        "name": "阶段名称", "start": "开始日期", "end": "结束日期", "text": "原文",
    }),
    "Measure": ("指标", "工作目标中的一项可测指标。", {
        "name": "指标名称", "direction": "应当 rise 上升 或 fall 下降", "baseline": "基线值", "unit": "计量单位",
        "kind": "数值的种类：rate 比率（0 到 1）、count 人数或件数（不小于 0 的整数）、"
                "growth 增幅（可为负，不低于 -1）",
    }),
    "Goals": ("工作目标", "方案的工作目标。", {
        "text": "原文", "measures": "可测指标", "note": "说明（如指标种类的解读）",
    }),
    "Person": ("人员", "领导小组或办公室的人员。", {"name": "姓名", "title": "职务", "role": "在专项行动中的角色"}),
    "Office": ("办公室", "专项行动办公室。", {"unit": "所在单位", "name": "名称", "director": "主任"}),
    "Organisation": ("组织领导", "领导小组、办公室和工作专班。", {
        "text": "原文", "lead_unit": "牵头单位", "leader": "组长", "deputies": "副组长",
        "office": "办公室", "task_forces": "工作专班", "village_offices": "各村（社区）的专项办",
    }),
    "Scoring": ("计分", "百分制考核得分的参数（按截至当日已到期的计分事项计）。", {
        "late": "逾期完成一项计几分（0 到 1 之间，按时完成计 1）",
        "punctual": "守时分的权重：乘以已到期事项中未逾期的比例（须不大于 late，且小于 1 − late）",
        "text": "说明",
        "basis": "依据：出自方案原文，还是本项目自定的规则",
    }),
    "Lights": ("亮灯", "按已到期计分事项中已逾期的比例亮红黄绿灯。", {
        "red_above": "已逾期比例超过此值亮红灯（0 到 1，如 0.2）；有逾期而不超过此值亮黄灯，无逾期亮绿灯",
        "yellow": "已不再使用（原为亮黄灯的已逾期项数），请改用 red_above",
        "red": "已不再使用（原为亮红灯的已逾期项数），请改用 red_above", "text": "说明",
        "basis": "依据：出自方案原文，还是本项目自定的规则",
    }),
    "Escalate": ("督办", "何时提请督办措施。", {
        "overdue_share": "每项措施的门槛：已到期计分事项中已逾期的比例（0 到 1），由轻到重递增，"
                         "默认 [0.2, 0.4, 0.6, 0.8]",
        "overdue": "已不再使用（原为已逾期项数门槛），请改用 overdue_share",
        "bottom": "各排名组末几名中有逾期事项的单位至少提请最轻的措施",
        "kinds": "对哪些类型的单位提请措施，默认 [village, community]（村、社区）",
        "text": "说明",
        "basis": "依据：出自方案原文，还是本项目自定的规则",
    }),
    "Assessment": ("考核评估", "考核、亮灯和督办办法。", {
        "text": "原文", "assessor": "负责考核的单位", "escalation": "督办措施，由轻到重",
        "escalation_note": "措施顺序的说明", "scoring": "计分", "lights": "亮灯", "escalate": "督办门槛",
    }),
    "Requirement": ("工作要求", "方案的一条工作要求。", {"title": "标题", "text": "原文"}),
    "ProgressReports": ("旬报规则", "谁在每月哪几天前报告一次进展。", {
        "days": "每月的报告日，如 [10, 20, 30]（较短的月份取最后一天）",
        "start": "旬报自哪一天起实行 YYYY-MM-DD（如方案印发之日）；默认为活动开始日",
        "owed_by": "须报告的单位或单位组",
        "exempt": "不须报告的单位（如接收报告的办公室）",
        "to": "接收报告的单位",
        "text": "原文",
        "note": "说明",
    }),
    "LiaisonRule": ("联络员要求", "哪些单位须明确联络员。", {
        "text": "原文", "required_for": "须明确联络员的单位或单位组", "file_with": "向哪个单位备案",
    }),
    "Attachment": ("佐证材料", "报告所附的一个文件，按内容存放一次。", {
        "sha256": "文件内容的 SHA-256 摘要（64 位小写十六进制），也是存放的文件名",
        "name": "报送时的文件名", "bytes": "大小（字节）",
        "taken": "照片的拍摄时间（EXIF，YYYY-MM-DDTHH:MM:SS）；不是照片或没有记录时为空",
    }),
    "EvidenceRule": ("佐证材料要求", "报告可附的文件：类型和大小上限。", {
        "max_mb": "每个文件的大小上限（MB），默认 20", "types": "允许的扩展名（小写）",
        "photo_days": "照片拍摄早于报告日期超过这么多天时提醒，默认 30", "note": "说明",
    }),
    "ReceiptRule": ("签收期限", "各单位签收通知的期限（lanxi ack）。", {
        "days": "通知印发之日（issued）后几天内应签收，默认 2", "note": "说明",
    }),
    "Source": ("出处", "资料来源。", {"title": "文件标题", "base_year": "基期年", "note": "说明"}),
    "Issuer": ("上级方案", "所落实的上级方案。", {"title": "标题", "issuer": "发文机关"}),
    "Task": ("任务", "任务清单中的一项任务。", {
        "id": "编号：照任务清单原表，类别序号.事项序号（如 1.1）或通排的序号（如 9）",
        "category": "类别（原文）",
        "text": "工作任务及要求（原文，不含序号）",
        "deadline_text": "完成时限（原文；空白的格沿用上一行）",
        "deadline": "对完成时限的解读",
        "lead": "牵头单位（原文）",
        "units": "责任单位（原文，单位或单位组）；空表示由牵头单位自行承担",
        "targets": "数量或比率目标",
        "scored": "是否计分；false 表示只显示状态，不计入得分和督办措施",
        "actor": "lead 表示由牵头单位对各责任单位开展（如督导）：义务归牵头单位，每个被督导单位一项",
        "sensitive": "涉及个人信息（如在戒吸毒人员）：报告不收佐证材料，只写说明；请在 note 中写明理由",
        "note": "说明（解读的理由）",
        "short": "简称：联络员看到的任务名，写在编号旁（如“1.1 制定方案”），至多 10 个字",
        "short_pending": "待核实：lanxi init 拟定、尚待人工确认的简称；确认后删去（或用 lanxi task short 改写）",
    }),
    "Deadline": ("截止规则", "完成时限的解读：rule 决定用哪些字段。", {
        "rule": "once 一次、window 时段、monthly 按月、quarterly 按季度、milestones 分次",
        "due": "截止日期（once）",
        "start": "开始日期（window）",
        "end": "结束日期，即截止日期（window）",
        "day": "每月几日前（monthly；较短的月份取最后一天）",
        "first": "第一个周期：YYYY-MM（monthly）或 YYYY-Qn（quarterly）",
        "last": "最后一个周期：YYYY-MM（monthly）或 YYYY-Qn（quarterly）",
        "dues": "个别周期另定的截止日期，如 {2020-Q4: 2020-12-20}",
        "points": "分次的节点（milestones），次数自活动开始累计",
        "pending": "待核实：lanxi init 自动读出、尚待人工核实的解读；核实后删去",
    }),
    "Milestone": ("节点", "分次完成的一个节点。", {"due": "截止日期", "count": "到此日累计应完成的次数"}),
    "Target": ("目标", "数量（每个周期的次数）或比率目标；可只针对部分单位。", {
        "what": "计什么", "units": "针对的单位或单位组（空表示全部）", "count": "数量目标",
        "rate": "比率目标（0 到 1）", "parts": "分项：各自计数，须全部达到",
    }),
    "TargetPart": ("分项目标", "目标中单独计算的一项：一个数量，或一个比率。", {
        "name": "分项的简称，报告时用 --part 指明", "count": "数量", "rate": "比率（0 到 1）", "what": "计什么",
    }),
    "Report": ("进展报告", "一个单位就一项任务的一次进展报告，或不写任务的一份旬报（每份报告一个文件）。", {
        "task": "任务编号，如 5.1；不写即旬报（只写 note，不计入任何任务，不写 status、count、rate、period、part）",
        "unit": "报告单位",
        "date": "日期 YYYY-MM-DD",
        "status": "done 完成、progress 进行中、blocked 受阻",
        "count": "数量（计入数量目标）",
        "rate": "比率（0 到 1）",
        "period": "计入的周期，如 2020-09、2020-Q3、第1次",
        "part": "计入的分项（分项目标的简称，如 中央省级）",
        "note": "说明",
        "by": "报告人",
        "evidence": "佐证链接（网址）或文字",
        "evidence_files": "佐证材料：存放在 data/evidence/<sha256>.<扩展名> 的文件",
        "recorded": "写入时间（由 lanxi 填写）",
        "supersedes": "更正（report amend）：被本报告更正的报告编号",
        "reason": "更正的原因",
        "form": "导入自哪张填报表的哪一行：“填报表编号#行号”",
        "collected": "导入自网上收集表的哪次提交（lanxi collect import）：“表单摘要#序号”，或“提交时间|提交者|单位”",
        "evidence_links": "网上收集表给出的附件链接（会过期，不算佐证材料）",
    }),
    "Review": ("审核", "牵头单位对一份完成报告、延期申请或不适用申请的审核决定（每份一个文件）。", {
        "subject": "所审核记录的编号（文件名去掉 .yaml）",
        "decision": "approved 批准、rejected 不批准",
        "by": "审核人",
        "date": "日期 YYYY-MM-DD",
        "note": "说明",
        "recorded": "写入时间（由 lanxi 填写）",
    }),
    "Extension": ("延期申请", "一个单位请求推迟一项义务的截止日期（每份一个文件）。", {
        "task": "任务编号", "unit": "申请单位", "until": "申请延至的日期 YYYY-MM-DD", "reason": "理由",
        "date": "申请日期 YYYY-MM-DD", "period": "哪一个周期（一次性任务不填）", "by": "申请人",
        "recorded": "写入时间（由 lanxi 填写）",
    }),
    "Exemption": ("不适用申请", "一个单位请求某项义务对本单位不适用（每份一个文件）。", {
        "task": "任务编号", "unit": "申请单位", "reason": "理由", "date": "申请日期 YYYY-MM-DD",
        "period": "哪一个周期；不填表示该任务的每个周期", "by": "申请人", "recorded": "写入时间（由 lanxi 填写）",
    }),
    "IndicatorValue": ("指标记录", "工作目标中一项指标在某日的测量值（每份一个文件）。", {
        "measure": "指标名称", "value": "测量值", "date": "日期 YYYY-MM-DD", "by": "记录人", "note": "说明",
        "recorded": "写入时间（由 lanxi 填写）",
    }),
    "MeasureTaken": ("督办措施记录", "对一个单位实际采取的督办措施（每份一个文件），自其日期起计。", {
        "unit": "单位", "kind": "措施：plan.yaml assessment.escalation 中的一项，如 提醒、约谈、述职、通报",
        "date": "采取措施的日期 YYYY-MM-DD", "note": "说明", "by": "经办人", "recorded": "写入时间（由 lanxi 填写）",
    }),
    "EvidenceRemoval": ("删除佐证材料", "一份佐证材料已从数据目录删除，只留下它的摘要（每份一个文件）。", {
        "sha256": "被删除文件的 SHA-256 摘要", "reason": "删除的原因（如涉及个人信息）", "date": "日期 YYYY-MM-DD",
        "by": "删除人", "recorded": "写入时间（由 lanxi 填写）",
    }),
    "Acknowledgement": ("签收", "一个单位签收了通知（或一份督办通知单）（每份一个文件）。", {
        "unit": "签收单位", "date": "签收日期 YYYY-MM-DD", "of": "所签收的督办通知单编号；空表示专项行动的通知本身",
        "by": "签收人", "recorded": "写入时间（由 lanxi 填写）",
    }),
    "Withdrawal": ("撤回", "撤回一份记录：它不再计入任何统计，原文件保留（每份一个文件）。", {
        "subject": "被撤回记录的编号（文件名去掉 .yaml）", "reason": "撤回的原因", "date": "日期 YYYY-MM-DD",
        "by": "撤回人", "recorded": "写入时间（由 lanxi 填写）",
    }),
    "NoticeItem": ("督办事项", "督办通知单所列的一项逾期或即将到期的事项。", {
        "task": "任务编号", "due": "截止日期 YYYY-MM-DD", "state": "状态：overdue 已逾期、due_soon 即将到期",
        "period": "周期（一次性任务不填）", "subject": "被督导的单位（由牵头单位开展的任务）",
    }),
    "Notice": ("督办通知单", "向一个单位发出的督办通知单（每份一个文件）；编号即文件名去掉 .yaml。", {
        "unit": "被督办单位", "date": "印发日期 YYYY-MM-DD", "reply_by": "回复时限 YYYY-MM-DD",
        "light": "发出时的灯：green 绿、yellow 黄、red 红", "items": "督办事项", "by": "经办人",
        "recorded": "写入时间（由 lanxi 填写）",
    }),
    "LiaisonEntry": ("联络员备案", "一条联络员备案；每个单位以最后一条为准。", {
        "unit": "单位", "name": "联络员姓名", "phone": "电话", "recorded": "写入时间（由 lanxi 填写）",
    }),
    "LiaisonRecord": ("联络员备案记录（data/liaisons/）", "由 lanxi unit liaison 写入，每条一个文件；"
                      "每个单位以写入时间最新的一条为准，覆盖 liaisons.yaml 和 plan.yaml 中的联络员。", {
        "unit": "单位", "name": "联络员姓名", "date": "备案日期", "phone": "电话", "by": "记录人",
        "recorded": "写入时间（由 lanxi 填写）",
    }),
}
LOADER_FIELDS = {"file"}  # set by the loader from the file's path, never written in a file
# kind (as `lanxi schema KIND` names it) → the domain dataclass that validates that file
KINDS = {
    "plan": "Plan", "tasks": "Task", "report": "Report", "review": "Review", "extension": "Extension",
    "exemption": "Exemption", "indicator": "IndicatorValue", "measure": "MeasureTaken",
    "withdrawal": "Withdrawal", "liaisons": "LiaisonEntry", "removal": "EvidenceRemoval", "receipt": "Acknowledgement",
    "liaison": "LiaisonRecord", "notice": "Notice",
}
LISTS = {  # files that are a list of one dataclass: the file's own title
    "Task": ("任务清单（tasks.yaml）", "任务清单：每项任务一段，按类别和事项编号排列。"),
    "LiaisonEntry": ("联络员备案（liaisons.yaml）",
                     "旧版 lanxi unit liaison 追加的联络员备案，仍然读取；每个单位以最后一条为准。"),
}


def schema(kind: str) -> dict:
    """The JSON Schema of one kind of data file (KINDS), in Chinese."""
    from pydantic import TypeAdapter

    from lanxi_cli.core import domain

    domain.schema_names()  # the constraint names the annotations use, as document.adapter does
    name = KINDS[kind]
    cls = getattr(domain, name)
    generated = TypeAdapter(tuple[cls, ...] if name in LISTS else cls).json_schema()
    for part, definition in generated.get("$defs", {}).items():
        _describe(part, definition)
    if name in LISTS:
        title, description = LISTS[name]
        generated.update(title=title, description=description)
    else:
        _describe(name, generated)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **generated}

def _describe(name: str, definition: dict) -> None:
    title, description, fields = TEXTS.get(name, (name, "", {}))
    definition["title"], definition["description"] = title, description
    properties = definition.get("properties", {})
    for field in LOADER_FIELDS & properties.keys():
        del properties[field]
    for field, value in properties.items():
        value.pop("title", None)
        if field in fields:
            value["description"] = fields[field]
