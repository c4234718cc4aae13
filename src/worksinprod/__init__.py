"""Works in Prod: the inventory and health of a marketing-technology stack.

>>> import worksinprod
>>> wip = worksinprod.connect()          # SUPABASE_URL + key, DATABASE_URL, or embedded
>>> wip.tools().to_pandas()              # every tool with its current values
"""

from .checks import Check
from .client import Client, connect
from .config import Settings
from .dashboard import Dashboard
from .errors import (
    AuthError,
    ConfigError,
    ConflictError,
    EmbeddedServerError,
    MigrationError,
    NotFoundError,
    PermissionDeniedError,
    StoreError,
    TransientError,
    ValidationError,
    WorksInProdError,
)
from .incidents import (
    Channel,
    Incident,
    IncidentEvent,
    MaintenanceWindow,
    Notification,
    Uptime,
    WatchdogReport,
)
from .memory_store import MemoryStore
from .models import (
    HealthTrend,
    HeartbeatResult,
    HeartbeatRun,
    Integration,
    Metric,
    Playbook,
    PlaybookRevision,
    ReadingDetail,
    Sparkline,
    StackState,
    StackSummary,
    Status,
    StatusChange,
    Tool,
    ToolName,
    ToolState,
    WeeklyTrend,
)
from .playbook import playbook_url
from .records import Records
from .runtime import Runtime
from .sla import SlaRow
from .stack_pages import StackFacets, StackPage
from .store import Select, Store

__version__ = "0.1.0"

__all__ = [
    "AuthError",
    "Channel",
    "Check",
    "Client",
    "ConfigError",
    "ConflictError",
    "Dashboard",
    "EmbeddedServerError",
    "HealthTrend",
    "HeartbeatResult",
    "HeartbeatRun",
    "Incident",
    "IncidentEvent",
    "Integration",
    "MaintenanceWindow",
    "MemoryStore",
    "Metric",
    "MigrationError",
    "NotFoundError",
    "Notification",
    "PermissionDeniedError",
    "Playbook",
    "PlaybookRevision",
    "ReadingDetail",
    "Records",
    "Runtime",
    "Select",
    "Settings",
    "SlaRow",
    "Sparkline",
    "StackFacets",
    "StackPage",
    "StackState",
    "StackSummary",
    "Status",
    "StatusChange",
    "Store",
    "StoreError",
    "Tool",
    "ToolName",
    "ToolState",
    "TransientError",
    "Uptime",
    "ValidationError",
    "WatchdogReport",
    "WeeklyTrend",
    "WorksInProdError",
    "__version__",
    "connect",
    "playbook_url",
]
