class ApplicationError(Exception):
    """The one error type services raise for people: `message` is Chinese and says what to do.

    `details` may carry row/column specifics (e.g. a list of {"row": 3, "column": "区划代码", "reason": …}).
    """

    def __init__(self, message: str, *, details: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        if not self.details:
            return self.message
        lines = [self.message]
        for d in self.details[:50]:
            lines.append("  " + format_detail(d))
        if len(self.details) > 50:
            lines.append(f"  ……另有 {len(self.details) - 50} 处错误")
        return "\n".join(lines)


def format_detail(d: dict) -> str:
    parts = []
    if d.get("file"):
        parts.append(str(d["file"]))
    if d.get("row") is not None:
        parts.append(f"第 {d['row']} 行")
    if d.get("column"):
        parts.append(f"“{d['column']}”列")
    where = " ".join(parts)
    return f"{where}：{d.get('reason', '')}" if where else str(d.get("reason", ""))
