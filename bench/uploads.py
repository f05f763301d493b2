"""Uploads: the peak memory (RSS) of importing hostile files through the upload page, against a
normal 5,000-row police extract measured in the same run.

    .venv/bin/python bench/uploads.py              # every file (makes them first, ~1 minute)
    .venv/bin/python bench/uploads.py --only long_values

Each file goes through the whole path a person takes, in a fresh process of its own (so one
file's peak does not hide another's): a police user signs in (Flask's test client, real CSRF
tokens), uploads the file to /imports/new, the import runs in the background as in a web worker,
and the result page is fetched. The child reports its peak resident memory (VmHWM), its CPU time,
the size of the result page and the page's first problem. The files:

- normal_5000: 5,000 valid rows (the baseline);
- invalid_1m: 1,000,000 rows, every one invalid (~26 MB of CSV);
- long_values: 500 rows each carrying a 100 KB value;
- shared_strings_bomb: an XLSX of ~4 MB whose shared strings expand to ~2 GB.

Goal (issue 12): no file within the upload size limit takes a worker past 512 MB. Nothing leaves
the machine; the files are made in a temporary folder and deleted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.hostile_files import shared_strings_bomb

GOAL_MB = 512
COLUMNS = [
    "police_reference",
    "home_urn",
    "occurred_at",
    "child_reference",
    "placing_authority_code",
    "category",
    "police_attended",
    "arrested",
    "outcome",
]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _police_row(n: int, **changes: str) -> list[str]:
    # Four a day in the evening (no clock change happens then), from June 2022.
    at = datetime(2022, 6, 1, 20, 0) + timedelta(days=n // 4, minutes=10 * (n % 4))
    row = {
        "police_reference": f"DP-{n:07d}",
        "home_urn": "SC300001",
        "occurred_at": at.isoformat(timespec="minutes"),
        "child_reference": f"LCS-{n % 97}",
        "placing_authority_code": "E06000059",
        "category": "criminal_damage",
        "police_attended": "yes",
        "arrested": "no",
        "outcome": "nfa",
        **changes,
    }
    return [row[c] for c in COLUMNS]


def _write_csv(path: Path, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


FILES = {
    "normal_5000": lambda p: _write_csv(
        p / "normal_5000.csv", (_police_row(n) for n in range(5000))
    ),
    "invalid_1m": lambda p: _write_csv(
        p / "invalid_1m.csv",
        ([f"X{n}", "SC999999", "soon", "", "", "?", "", "", ""] for n in range(1_000_000)),
    ),
    "long_values": lambda p: _write_csv(
        p / "long_values.csv",
        (_police_row(n, outcome="o" * 100_000) for n in range(500)),
    ),
    "shared_strings_bomb": lambda p: shared_strings_bomb(
        p / "shared_strings_bomb.xlsx", COLUMNS, strings=20_000, size=100_000
    ),
}


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: Path) -> None:
    """Import one file through the upload page; print one JSON line of measurements."""
    from protocol_monitor import create_app
    from protocol_monitor.db import db
    from tests.support import factories

    with tempfile.TemporaryDirectory(prefix="pm-uploads-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'uploads.db'}"
        app = create_app(
            {
                "env": "production",
                "database_url": url,
                "instance_path": Path(tmp) / "instance",
                "secret_key": "u" * 64,
                "session_cookie_secure": False,
                "import_wait_seconds": 0.0,
            }
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            force = factories.force()
            factories.home("SC300001", police=force)
            officer = factories.user("police", police=force)
            email = officer.email
            db.session.remove()
        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        token = CSRF.search(page).group(1)
        client.post(
            "/sign-in",
            data={"csrf_token": token, "email": email, "password": factories.PASSWORD},
        )
        token = CSRF.search(client.get("/imports/new").get_data(as_text=True)).group(1)
        started = time.process_time()
        with open(path, "rb") as stream:
            response = client.post(
                "/imports/new",
                data={
                    "csrf_token": token,
                    "source": "police",
                    "dry_run": "no",
                    "file": (stream, path.name),
                },
            )
        status = response.status_code
        body = response.get_data(as_text=True)
        if status == 302:
            run_page = response.headers["Location"]
            deadline = time.monotonic() + 1800
            while not client.get(run_page + "/progress").get_json()["finished"]:
                if time.monotonic() > deadline:
                    raise SystemExit("the import did not finish in 30 minutes")
                time.sleep(0.2)
            result = client.get(run_page)
            status, body = result.status_code, result.get_data(as_text=True)
        summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', body, re.S)
        main = re.search(r"<main.*?</main>", body, re.S)
        shown = summary or main
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", shown.group(0) if shown else body))
        said = re.search(r"([^.]*\.)", text) if summary else re.search(r"Rows read \d+", text)
        print(
            json.dumps(
                {
                    "peak_mb": round(_peak_mb(), 1),
                    "cpu_s": round(time.process_time() - started, 2),
                    "status": status,
                    "page_kb": round(len(body.encode()) / 1024, 1),
                    "says": (said.group(0).strip() if said else text.strip())[:160],
                }
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(FILES), action="append")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    names = ["normal_5000", *[n for n in FILES if n != "normal_5000"]]
    if args.only:
        names = ["normal_5000", *[n for n in names if n in args.only and n != "normal_5000"]]
    print(f"Uploads: peak memory of one import each, Python {sys.version.split()[0]}", flush=True)
    over = []
    with tempfile.TemporaryDirectory(prefix="pm-upload-files-") as tmp:
        baseline = None
        for name in names:
            path = FILES[name](Path(tmp))
            size_mb = path.stat().st_size / 1024 / 1024
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                capture_output=True,
                text=True,
                timeout=3600,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
            if done.returncode != 0 or not lines:
                print(f"{name:<20} FAILED (exit {done.returncode}): {done.stderr[-800:]}")
                over.append(name)
                continue
            result = json.loads(lines[-1])
            baseline = baseline or result
            print(
                f"{name:<20} file {size_mb:7.1f} MB  peak RSS {result['peak_mb']:7.1f} MB "
                f"({result['peak_mb'] / baseline['peak_mb']:.2f}x normal)  CPU "
                f"{result['cpu_s']:6.1f} s ({result['cpu_s'] / max(baseline['cpu_s'], 0.01):.3f}x)"
                f"  page {result['page_kb']:8.1f} KB  says: {result['says']}",
                flush=True,
            )
            if result["peak_mb"] > GOAL_MB:
                over.append(name)
            path.unlink()
    print(f"goal: every file under {GOAL_MB} MB peak; over it: {', '.join(over) or 'none'}")
    if over:
        sys.exit(1)


if __name__ == "__main__":
    main()
