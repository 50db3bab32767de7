"""The `nhacviec` command line."""

from __future__ import annotations

import argparse
import datetime as dtm
import json
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from bot.settings import Settings, SettingsError, load_settings
from messages.render import render_plain


def _json_default(value: Any) -> str:
    if isinstance(value, dtm.date | dtm.datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default))


def _ref_date(text: str | None) -> dtm.date | None:
    return dtm.date.fromisoformat(text) if text else None


def cmd_parse_deadline(args: argparse.Namespace) -> int:
    from plans.deadlines import parse_deadline

    ref = _ref_date(args.ref_date)
    result = parse_deadline(args.text, ref_date=ref, plan_year=ref.year if ref else None)
    out = result.to_json()
    _print_json(out) if args.json else print(f"{out['kind']}\t{out['due']}\t{out['text']}")
    return 0


def cmd_parse_reply(args: argparse.Namespace) -> int:
    from plans.replies import parse_reply

    ref = _ref_date(args.ref_date)
    now = (dtm.datetime.combine(ref, dtm.time(9, 0), tzinfo=dtm.UTC) if ref else None)
    out = parse_reply(args.text, ref_date=ref, now=now).to_json()
    _print_json(out) if args.json else print(out)
    return 0


def cmd_plan_parse(args: argparse.Namespace) -> int:
    from handlers.importing import load_plan_file

    preview = load_plan_file(args.file)
    if not preview.plan.tasks:
        print(render_plain("cli_error", kind="no_tasks"), file=sys.stderr)
        return 2
    out = preview.plan.to_json()
    if args.json:
        _print_json(out)
    else:
        print(_preview_text(preview))
    return 0


def _preview_text(preview: Any) -> str:
    return render_plain("import_preview_cli", p=preview)


def cmd_plan_template(args: argparse.Namespace) -> int:
    from plans.template import write_template

    path = write_template(args.file)
    print(render_plain("cli_result", kind="template_written", path=path))
    return 0


def cmd_plan_import(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from db.engine import session_scope
    from db.orgs import NotFound, get_or_create_org, get_org, org_directory
    from handlers.importing import commit_preview, load_plan

    engine = _engine(settings)
    with session_scope(engine) as session:
        try:
            directory = org_directory(session, get_org(session, args.org).id or 0)
        except NotFound:
            directory = None  # a new organization: created only once the user confirms
    path = Path(args.file)
    preview = load_plan(path.read_bytes(), path.name, directory=directory,
                        max_bytes=settings.max_upload_mb * 1024 * 1024)
    if args.default_due:
        from plans.deadlines import parse_colloquial

        preview.default_due = parse_colloquial(args.default_due, now=dtm.datetime.now(dtm.UTC))
        if preview.default_due is None:
            print(render_plain("cli_error", kind="bad_due", value=args.default_due,
                               example="31/12/2026"), file=sys.stderr)
            return 2
    print(_preview_text(preview))
    if not preview.plan.tasks:
        print(render_plain("cli_error", kind="no_tasks", nothing_written=True), file=sys.stderr)
        return 2
    if not args.yes:
        answer = input(render_plain("cli_result", kind="confirm_import") + " ").strip().lower()
        if answer not in {"c", "co", "có", "y", "yes"}:
            print(render_plain("import_cancelled"))
            return 1
    with session_scope(engine) as session:
        org_id = get_or_create_org(session, args.org).id or 0
    result = commit_preview(engine, org_id, preview)
    if result.already_imported:
        print(render_plain("cli_result", kind="import_already"))
    else:
        print(render_plain("cli_result", kind="import_done", r=result))
    return 0


def _engine(settings: Settings) -> Any:
    from db.engine import make_engine
    from db.migrate import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    _engine(settings)
    print(render_plain("cli_result", kind="db_upgraded"))
    return 0


def cmd_officer_add(args: argparse.Namespace, settings: Settings) -> int:
    from db.engine import session_scope
    from db.officers import add_officer, invite_link, issue_invite
    from db.orgs import get_or_create_org, resolve_unit
    from db.tasks import assign_by_units

    engine = _engine(settings)
    with session_scope(engine) as session:
        org = get_or_create_org(session, args.org)
        unit = resolve_unit(session, org.id or 0, args.unit) if args.unit else None
        officer = add_officer(session, org.id or 0, args.name, unit_id=unit.id if unit else None,
                              role=args.role, phone=args.phone)
        code = issue_invite(session, officer)
        org_id = org.id or 0
        # Tasks already imported for the officer's unit are his too.
        assigned = assign_by_units(session, org_id) if unit else 0
        print(f"{officer.name}: {invite_link(settings.bot_username, code)}")
    if assigned:
        _sync_org(settings, engine, org_id)
        print(render_plain("cli_result", kind="assigned", count=assigned))
    return 0


def _sync_org(settings: Settings, engine: Any, org_id: int) -> None:
    from scheduler.calendar import WorkingCalendar
    from scheduler.outbox import sync_tasks

    calendar = WorkingCalendar(settings.timezone, swaps_path=settings.day_swaps_file)
    sync_tasks(engine, calendar, dtm.datetime.now(dtm.UTC), org_id=org_id)


def cmd_task_activate(args: argparse.Namespace, settings: Settings) -> int:
    """A conditional task's condition is met: give it a due date so reminders start."""
    from db.engine import session_scope
    from db.orgs import get_org
    from db.tasks import activate_task, task_by_ref
    from plans.deadlines import parse_colloquial
    from scheduler.calendar import WorkingCalendar
    from scheduler.outbox import sync_tasks

    engine = _engine(settings)
    now = dtm.datetime.now(dtm.UTC)
    moment = parse_colloquial(args.date, now=now)
    if moment is None:
        print(render_plain("cli_error", kind="bad_due", value=args.date, example="20/12/2026"),
              file=sys.stderr)
        return 2
    with session_scope(engine) as session:
        found = task_by_ref(session, get_org(session, args.org).id or 0, args.ref)
        if args.plan:
            found = [t for t in found if _plan_number(session, t.plan_id) == args.plan]
        if len(found) != 1:
            kind = "task_ambiguous" if found else "task_not_found"
            print(render_plain("cli_error", kind=kind, ref=args.ref), file=sys.stderr)
            return 2
        task = activate_task(session, found[0], moment, now=now)
        task_id = task.id or 0
    sync_tasks(engine, WorkingCalendar(settings.timezone, swaps_path=settings.day_swaps_file),
               now, [task_id])
    print(render_plain("cli_result", kind="activated", ref=args.ref, due_at=moment))
    return 0


def _plan_number(session: Any, plan_id: int) -> str | None:
    from db.models import Plan

    plan = session.get(Plan, plan_id)
    return plan.number if plan else None


def cmd_officer_invite(args: argparse.Namespace, settings: Settings) -> int:
    from db.engine import session_scope
    from db.officers import find_officer, invite_link, issue_invite
    from db.orgs import get_org

    engine = _engine(settings)
    with session_scope(engine) as session:
        org = get_org(session, args.org)
        officer = find_officer(session, org.id or 0, args.name)
        if officer is None:
            print(render_plain("cli_error", kind="officer_not_found", name=args.name),
                  file=sys.stderr)
            return 2
        print(f"{officer.name}: {invite_link(settings.bot_username, issue_invite(session, officer))}")
    return 0


def cmd_officer_import(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from db.engine import session_scope
    from db.models import Officer
    from db.officers import invite_link, issue_invite
    from db.orgs import get_or_create_org
    from db.tasks import assign_by_units
    from handlers.roster import MAX_ROSTER_BYTES, check_size, import_roster, read_roster

    path = Path(args.file)
    limit = min(MAX_ROSTER_BYTES, settings.max_upload_mb * 1024 * 1024)
    check_size(path.stat().st_size, limit)  # before reading a huge file into memory
    roster = read_roster(path.read_bytes(), path.name, max_bytes=limit)
    engine = _engine(settings)
    links: list[str] = []
    with session_scope(engine) as session:
        org = get_or_create_org(session, args.org)
        result = import_roster(session, org.id or 0, roster, create_units=args.create_units)
        if result.imported:
            assign_by_units(session, org.id or 0)  # tasks already imported for their units
        for officer_id in result.officer_ids if args.invite else []:
            officer = session.get(Officer, officer_id)
            if officer is not None and officer.telegram_user_id is None:
                code = issue_invite(session, officer)
                links.append(f"{officer.name}: {invite_link(settings.bot_username, code)}")
    print(result.text())
    for link in links:
        print(link)
    if not result.errors:
        return 0
    return 1 if result.imported else 2  # 1: some lines refused, 2: nothing imported


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    return run_demo(settings)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.token:
        print(render_plain("cli_result", kind="demo_fallback") + "\n")
        return cmd_demo(args, settings)
    from bot.webhook import serve

    return serve(settings)


def cmd_run_strict(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.token:
        print(render_plain("settings_error", field="TELEGRAM_BOT_TOKEN",
                           reason=render_plain("settings_invalid", kind="no_token")),
              file=sys.stderr)
        return 2
    from bot.webhook import serve

    return serve(settings)


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bench import run_benchmarks

    figures = run_benchmarks(args.names or None, scale=args.scale,
                             database_url=args.database_url)
    _print_json(figures) if args.json else print(figures)
    return 0


def _role_arg(text: str) -> str:
    from handlers.roster import role_from

    role = role_from(text)
    if role is None:
        raise argparse.ArgumentTypeError(render_plain("cli_error", kind="bad_role", value=text))
    return role


def _help(item: str) -> str:
    """A --help text, from messages/templates/cli_help.j2."""
    return render_plain("cli_help", item=item)


# argparse's own English errors and the Vietnamese line shown instead (cli_error.j2).
_ARGPARSE_ERRORS = (
    (re.compile(r"the following arguments are required: (?P<names>.+)"), "args_required"),
    (re.compile(r"unrecognized arguments: (?P<names>.+)"), "args_unknown"),
    (re.compile(r"argument (?P<name>.+?): invalid choice: '?(?P<value>.*?)'? "
                r"\(choose from (?P<choices>.+)\)"), "arg_choice"),
    (re.compile(r"argument (?P<name>.+?): expected one argument"), "arg_missing_value"),
    (re.compile(r"argument (?P<name>.+?): invalid \w+ value: '?(?P<value>.*?)'?"),
     "arg_bad_value"),
    (re.compile(r"argument (?P<name>.+?): (?P<message>.+)", re.S), "arg_other"),
)


def _argparse_vi(message: str) -> str:
    for pattern, kind in _ARGPARSE_ERRORS:
        m = pattern.fullmatch(message)
        if m:
            found = m.groupdict()
            if "choices" in found:
                found["choices"] = found["choices"].replace("'", "")
            return render_plain("cli_error", kind=kind, **found)
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        if prefix is None:  # "" is argparse building a sub-command's prog: no prefix there
            prefix = _help("usage") + " "
        super().add_usage(usage, actions, groups, prefix)


class _Parser(argparse.ArgumentParser):
    """argparse speaking Vietnamese: headings, -h and the one-line usage errors (exit code 2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = _help("positionals")
        self._optionals.title = _help("options")
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help=_help("help"))

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        line = render_plain("cli_error", kind="usage", prog=self.prog, message=_argparse_vi(message))
        self.exit(2, line + "\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="nhacviec", description=_help("description"))
    sub = p.add_subparsers(dest="command")
    for name in ("start", "run"):
        sub.add_parser(name, help=_help(name)).add_argument(
            "--role", dest="process_role", choices=("all", "updates", "sender"),
            help=_help("process_role"))
    sub.add_parser("demo", help=_help("demo"))
    db = sub.add_parser("db").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help=_help("db_upgrade"))

    plan = sub.add_parser("plan").add_subparsers(dest="plan_command", required=True)
    pp = plan.add_parser("parse")
    pp.add_argument("file")
    pp.add_argument("--json", action="store_true")
    pt = plan.add_parser("template")
    pt.add_argument("file")
    pi = plan.add_parser("import")
    pi.add_argument("file")
    pi.add_argument("--org", required=True)
    pi.add_argument("--yes", action="store_true")
    pi.add_argument("--default-due", help=_help("default_due"))

    parse = sub.add_parser("parse").add_subparsers(dest="parse_command", required=True)
    for name in ("deadline", "reply"):
        x = parse.add_parser(name)
        x.add_argument("text")
        x.add_argument("--ref-date")
        x.add_argument("--json", action="store_true")

    officer = sub.add_parser("officer").add_subparsers(dest="officer_command", required=True)
    oa = officer.add_parser("add")
    oa.add_argument("name")
    oa.add_argument("--org", required=True)
    oa.add_argument("--unit")
    oa.add_argument("--role", default="officer", type=_role_arg, help=_help("officer_role"))
    oa.add_argument("--phone")
    oi = officer.add_parser("invite")
    oi.add_argument("name")
    oi.add_argument("--org", required=True)
    om = officer.add_parser("import")
    om.add_argument("file", help=_help("roster_file"))
    om.add_argument("--org", required=True)
    om.add_argument("--create-units", action="store_true", help=_help("create_units"))
    om.add_argument("--invite", action="store_true", help=_help("invite"))

    task = sub.add_parser("task").add_subparsers(dest="task_command", required=True)
    ta = task.add_parser("activate", help=_help("task_activate"))
    ta.add_argument("ref")
    ta.add_argument("date")
    ta.add_argument("--org", required=True)
    ta.add_argument("--plan", help=_help("plan_number"))

    bench = sub.add_parser("bench")
    bench.add_argument("names", nargs="*")
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--scale", type=float, default=None, help=_help("bench_scale"))
    bench.add_argument("--database-url", default=None, help=_help("bench_database"))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one line for the administrator, never a traceback
        from plans import PlanReadError

        if isinstance(exc, PlanReadError):
            print(render_plain("cli_error", kind="failed", message=exc.message_vi),
                  file=sys.stderr)
            return 2
        from db.orgs import NotFound

        if isinstance(exc, NotFound):
            print(render_plain("cli_error", kind="failed", message=str(exc)), file=sys.stderr)
            return 2
        from handlers.roster import RosterError

        if isinstance(exc, RosterError):
            print(render_plain("cli_error", kind="failed", message=str(exc)), file=sys.stderr)
            return 2
        if isinstance(exc, OSError):
            print(_os_error_vi(exc), file=sys.stderr)
            return 2
        raise


def _os_error_vi(exc: OSError) -> str:
    """The one line for a file that cannot be read."""
    path = str(exc.filename) if exc.filename else ""
    if isinstance(exc, FileNotFoundError):
        return render_plain("cli_error", kind="file_missing", path=path)
    if isinstance(exc, IsADirectoryError):
        return render_plain("cli_error", kind="file_is_dir", path=path)
    if isinstance(exc, PermissionError):
        return render_plain("cli_error", kind="file_denied", path=path)
    return render_plain("cli_error", kind="file_other", reason=str(exc.strerror or exc))


def _dispatch(args: argparse.Namespace) -> int:
    cmd = args.command
    if cmd == "parse":
        return cmd_parse_deadline(args) if args.parse_command == "deadline" else cmd_parse_reply(args)
    if cmd == "plan" and args.plan_command == "parse":
        return cmd_plan_parse(args)
    if cmd == "plan" and args.plan_command == "template":
        return cmd_plan_template(args)
    role = getattr(args, "process_role", None)  # `officer add --role` is an officer's role
    settings = load_settings(role=role) if role else load_settings()
    if cmd == "plan":
        return cmd_plan_import(args, settings)
    if cmd == "db":
        return cmd_db_upgrade(args, settings)
    if cmd == "officer":
        handler = {"add": cmd_officer_add, "invite": cmd_officer_invite,
                   "import": cmd_officer_import}[args.officer_command]
        return handler(args, settings)
    if cmd == "task":
        return cmd_task_activate(args, settings)
    if cmd == "demo":
        return cmd_demo(args, settings)
    if cmd == "run":
        return cmd_run_strict(args, settings)
    if cmd == "bench":
        return cmd_bench(args, settings)
    return cmd_run(args, settings)


if __name__ == "__main__":
    sys.exit(main())
