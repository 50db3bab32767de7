"""Vietnamese messages: templates, rendering and date formatting."""

from messages.render import (
    fmt_date,
    fmt_datetime,
    fmt_due,
    label,
    render,
    render_plain,
    split_message,
    template_names,
)

__all__ = ["fmt_date", "fmt_datetime", "fmt_due", "label", "render", "render_plain", "split_message", "template_names"]
