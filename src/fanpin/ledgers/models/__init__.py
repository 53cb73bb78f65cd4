"""Every ledger's model lives in its own module (fanpin.ledgers.<ledger>); imported here for Django."""

from fanpin.ledgers.assets import Asset
from fanpin.ledgers.campaigns.models import Campaign, CampaignTarget
from fanpin.ledgers.consumption import Sale
from fanpin.ledgers.employment import Service131, WorkRecord
from fanpin.ledgers.loans import Loan
from fanpin.ledgers.models.imports import LedgerImport, LedgerImportIssue
from fanpin.ledgers.models.policy import LedgerSetting
from fanpin.ledgers.projects import FundIssue, Project
from fanpin.ledgers.rectification import Problem
from fanpin.ledgers.welfare_jobs import WelfareJob
from fanpin.ledgers.work_teams import TeamMember
from fanpin.ledgers.workshops import Workshop, WorkshopWorker

__all__ = [
    "Asset",
    "Campaign",
    "CampaignTarget",
    "FundIssue",
    "LedgerImport",
    "LedgerImportIssue",
    "LedgerSetting",
    "Loan",
    "Problem",
    "Project",
    "Sale",
    "Service131",
    "TeamMember",
    "WelfareJob",
    "WorkRecord",
    "Workshop",
    "WorkshopWorker",
]
