"""Reading plan documents and finding their tasks, units, leaders and deadlines."""

from plans.parser import ParsedPlan, ParsedTask, parse_plan
from plans.readers import DocumentText, PlanReadError, read_document, read_text
from plans.units import Unit, UnitDirectory, default_directory, split_units

__all__ = [
    "DocumentText",
    "ParsedPlan",
    "ParsedTask",
    "PlanReadError",
    "Unit",
    "UnitDirectory",
    "default_directory",
    "parse_plan",
    "read_document",
    "read_text",
    "split_units",
]
