"""Shared parts of the permission matrix (core/tests/test_permission_matrix.py).

Each app adds its endpoints in its own module `fanpin/<app>/tests/permission_rules.py`:

    from fanpin.core.tests.permissions_support import Ctx, Rule, url

    def setup(ctx: Ctx) -> None:
        # create one object inside ctx.area and one in ctx.outside (a village code outside the area)
        ctx.extra["case_inside"] = case_in.pk
        ctx.extra["case_outside"] = case_out.pk

    RULES = {
        "casework:case_detail": Rule(
            "get",
            url("casework:case_detail", case_id=lambda c: c.extra["case_inside"]),
            url("casework:case_detail", case_id=lambda c: c.extra["case_outside"]),
        ),
    }

The matrix imports every installed fanpin app's `tests.permission_rules`, runs each `setup(ctx)` after the
core objects exist (ctx.household_inside/outside etc. are there to hang objects on), and checks every rule
for every role: inside object allowed (or 403 without the permission), outside object 404, list
endpoints probed for leaks with `leak_probe`. A URL without a rule anywhere fails the first test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.urls import reverse

from fanpin.accounts.choices import Role
from fanpin.registry import idnumber
from fanpin.registry.services.households import household_create, income_record_set, member_add

# One user per role, at a realistic area (平定县 is the demo county).
ROLE_AREAS = [
    (Role.PROVINCE, "14"),
    (Role.CITY, "1403"),
    (Role.COUNTY, "140321"),
    (Role.TOWNSHIP, "140321201"),
    (Role.VILLAGE, "140321201249"),
    (Role.DEPARTMENT, "140321"),
    (Role.INSPECTOR, "1403"),
    (Role.ADMIN, "14"),
]
OTHER_PROVINCE = "99"  # loaded by the fixture: nothing of it is inside any Shanxi user's area
OUTSIDE_MARKER = "区外任务-OUTSIDE"


def outside_code(area: str) -> str:
    return "990101001001" if area == "14" else "140105001001"  # a village of 小店区 (太原) otherwise


@dataclass
class Ctx:
    user: object
    area: str
    outside: str
    job_inside: int
    job_outside: int
    household_inside: int = 0
    household_outside: int = 0
    member_inside: int = 0
    member_outside: int = 0
    income_inside: int = 0
    income_outside: int = 0
    batch_inside: int = 0
    batch_outside: int = 0
    export_inside: int = 0
    export_outside: int = 0
    lead_inside: int = 0
    lead_outside: int = 0
    run_inside: int = 0
    run_outside: int = 0
    policy_inside: int = 0
    policy_outside: int = 0
    department_inside: int = 0
    department_outside: int = 0
    extra: dict = field(default_factory=dict)  # objects made by the apps' setup()


@dataclass
class Rule:
    method: str  # "get" or "post"
    inside: Callable[[Ctx], str]  # URL for the user's own area or an object within it
    outside: Callable[[Ctx], str] | None = None  # URL for an object outside; must be 404
    permission: str | None = None  # role permission needed; without it: 403
    ok: tuple[int, ...] = (200,)
    data: Callable[[Ctx, str], dict] | None = None
    leak_probe: Callable[[Ctx], str] | None = None  # a list URL filtered to the outside area
    public: bool = False
    api: bool = False
    accept: str = ""  # the Accept header sent; defaults to JSON for the API, HTML for pages


def url(name, **kw):
    """A URL maker for a rule: keyword values may be callables of the Ctx."""
    return lambda ctx: reverse(name, kwargs={k: (v(ctx) if callable(v) else v) for k, v in kw.items()})


SEQ = iter(range(1, 10**6))


def make_household(village_code: str, tag: str):
    """A household with one member and one income record in `village_code` (tag "IN" or "OUT")."""
    n = next(SEQ)
    h = household_create(
        actor="测试", code=f"{village_code}{tag}{n:04d}", village_code=village_code, household_type="脱贫户"
    )
    m = member_add(
        actor="测试",
        household=h,
        name=f"{tag}户主",
        relation="户主",
        id_number=idnumber.make(
            village_code[:6] if village_code.startswith("14") else "110105", date(1970, 1, 1), n % 1000
        ),
    )
    r = income_record_set(actor="测试", household=h, year=2025, month=6, wage=Decimal("1200"))
    return h, m, r


def body_text(response) -> str:
    """What a user reads in a response: the text of a page or JSON, every cell of an .xlsx file, the
    text of a PDF (pdftotext), so that leak checks see into exports too."""
    import io
    import subprocess
    import tempfile
    import zipfile

    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if content[:4] == b"PK\x03\x04" or "spreadsheetml" in kind:
        from openpyxl import load_workbook

        if not zipfile.is_zipfile(io.BytesIO(content)):
            return ""
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError):
            return ""  # a placeholder file (the matrix's fake exports): nothing to read
        return "\n".join(
            "\t".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if content[:5] == b"%PDF-" or "pdf" in kind:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(content)
            f.flush()
            done = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout
        # not a real PDF (the matrix's placeholder documents): read its bytes as text
    return content.decode("utf-8", errors="replace")
