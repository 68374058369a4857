"""The ``unvote fetch`` command a message tells the user to run: every hint is built here.

``fetch_command("sc", file="PATH")`` → ``unvote fetch --body sc --file PATH``. Each names the whole
command line that (re)builds the dataset: ``ga`` (the default), ``sc``, ``voeten`` or ``merged``.
"""

from __future__ import annotations

DATASET_OPTIONS = {"ga": "", "sc": " --body sc", "voeten": " --source voeten", "merged": " --source merged"}
PLACEHOLDER = "PATH"  # a file the user downloads by hand: the hint names it so


def fetch_command(dataset: str = "ga", *, file=None, url: str | None = None, update: bool = False,
                  force: bool = False) -> str:
    """The whole ``unvote fetch`` command line that (re)builds ``dataset``: from ``file`` (a path, or
    ``PLACEHOLDER``) or ``url``, only the newer records (``update``), or overriding a refusal (``force``)."""
    import shlex  # lazy: every command loads this module, few hints name a file or URL

    command = "unvote fetch" + DATASET_OPTIONS.get(dataset, "")
    if file is not None:
        command += f" --file {file if file == PLACEHOLDER else shlex.quote(str(file))}"
    if url is not None:
        command += f" --url {shlex.quote(url)}"
    return command + (" --update" if update else "") + (" --force" if force else "")


def no_data_hint(dataset: str) -> str:
    """What to run when nothing is stored for ``dataset``: the merged history is built by fetching
    Voeten's data once the UNDL data is there."""
    if dataset == "merged":
        return fetch_command("voeten") + " (with the UNDL data fetched)"
    return fetch_command(dataset)
