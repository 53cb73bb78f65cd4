from fanpin.casework.models.case import Case, CaseDocument, CaseStep, NoticeObjection

__all__ = ["Case", "CaseDocument", "CaseStep", "NoticeObjection"]
