"""``accord demo``'s workspace: the examples' providers with two or three customers each,
twelve months of generated data ending now, loaded, evaluated and served.

    story       the demo's year: its twelve months and when each part of the story happens
    tickets     tickets and status histories (service desks, cleaning, cloud support)
    operations  incidents, deliveries and measurements
    generate    the data files, deterministic for a seed and an instant
    agreements  the shipped agreements, moved to the demo's year
    workspace   building a workspace through the real apply, ingest and evaluate paths
"""

from accord.demo.agreements import agreement_files, write_agreements
from accord.demo.generate import SEED, TABLES, generate
from accord.demo.story import Story
from accord.demo.workspace import (
    DEMO_PASSWORD,
    DEMO_USERS,
    Build,
    DemoUser,
    Workspace,
    build_workspace,
)

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "SEED", "TABLES", "Build", "DemoUser", "Story",
           "Workspace", "agreement_files", "build_workspace", "generate", "write_agreements"]
