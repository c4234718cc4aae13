"""Works in Prod: the inventory and health of a marketing-technology stack.

>>> import worksinprod
>>> wip = worksinprod.connect()          # SUPABASE_URL + key, DATABASE_URL, or embedded
>>> wip.tools().to_pandas()              # every tool with its current values
"""

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
from .memory_store import MemoryStore
from .models import (
    HealthTrend,
    HeartbeatResult,
    HeartbeatRun,
    Integration,
    Metric,
    Playbook,
    PlaybookRevision,
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
from .stack_pages import StackFacets, StackPage
from .store import Select, Store

__version__ = "0.1.0"

__all__ = [
    "AuthError",
    "Client",
    "ConfigError",
    "ConflictError",
    "Dashboard",
    "EmbeddedServerError",
    "HealthTrend",
    "HeartbeatResult",
    "HeartbeatRun",
    "Integration",
    "MemoryStore",
    "Metric",
    "MigrationError",
    "NotFoundError",
    "PermissionDeniedError",
    "Playbook",
    "PlaybookRevision",
    "Records",
    "Runtime",
    "Select",
    "Settings",
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
    "ValidationError",
    "WeeklyTrend",
    "WorksInProdError",
    "__version__",
    "connect",
    "playbook_url",
]
