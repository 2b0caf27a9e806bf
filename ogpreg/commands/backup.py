"""``ogpreg dump``, ``ogpreg restore`` and ``ogpreg optimize``: the whole registry to one file
and back, and compaction
(registry/backup.py; docs/security.md, "Crash safety and backups")."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ogpreg.context import State, lang_of, registry_of
from registry.i18n import msg


def register(main: click.Group) -> None:
    @main.command("dump")
    @click.option(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="File to write the backup to (a .tar.gz; written to a temporary file and renamed "
        "into place, mode 0600), or '-' for standard output. Example: -o ogp-2026-11-27.tar.gz",
    )
    @click.pass_context
    def dump(ctx: click.Context, output: str) -> None:
        """Back up the whole registry: every quad of the committed revision (all named graphs:
        sources, provenance, vocabularies) as N-Quads with the base URI, plus the hashed
        tokens, the audit log, the catalogue's dates and the proposals' contact persons
        (personal data: the file is mode 0600; keep it so).

        Safe while the server serves and loads run: it reads one committed revision.

        \b
        Example:
          ogpreg dump -o ogp-2026-11-27.tar.gz
          ogpreg --store /var/lib/ogp-registry/store dump -o - > backup.tar.gz
        """
        from registry.backup import dump_to_file, write_dump

        reg = registry_of(ctx)
        if output == "-":
            info = write_dump(reg, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            info = dump_to_file(reg, Path(output))
        click.echo(
            msg(
                "Backup of revision {rev} ({quads} quads in {graphs} graphs, base URI {base}) "
                "written to {file}.",
                rev=info.revision,
                quads=info.quads,
                graphs=len(info.graphs),
                base=info.base_uri,
                file="standard output" if output == "-" else output,
            ).render(lang_of(ctx)),
            err=True,
        )

    @main.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE")
    @click.option(
        "--data-only",
        is_flag=True,
        help="Restore the quads only; keep this store's tokens, audit log and catalogue dates. "
        "Example: --data-only",
    )
    @click.option(
        "--accept-unsigned",
        is_flag=True,
        help="Restore a backup whose manifest cannot be checked against its content: one made "
        "by an older ogpreg (no digest), or not signed with the OGPREG_BACKUP_KEY set here, or "
        "signed while no key is set. Only for a file you trust; a digest that does not match "
        "is refused all the same. Example: --accept-unsigned",
    )
    @click.pass_context
    def restore(ctx: click.Context, file: Path, data_only: bool, accept_unsigned: bool) -> None:
        """Replace the whole registry with a backup made by 'ogpreg dump', in one commit.

        Everything is checked before anything changes: the manifest's digest (binding the
        base URI and counts to the content; HMAC-SHA256 with OGPREG_BACKUP_KEY), each
        member's SHA-256 and the quad counts. A changed backup is refused. The store's base
        URI (--base-uri) must be the one the backup was made with. Running servers see the
        restored registry from their next query. The side files in the backup (tokens.json,
        audit.log, dcat-state.json) replace this store's unless --data-only; the restore
        itself is recorded in the audit log.

        \b
        Example:
          ogpreg --store ./var/new-store restore ogp-2026-11-27.tar.gz
          ogpreg --base-uri https://ogp.example.no/ restore --data-only backup.tar.gz
        """
        from registry.backup import restore as do_restore
        from registry.errors import UsageError
        from registry.settings import load_settings

        if not file.is_file():
            raise UsageError(
                msg("File not found: {file}.", file=file)
            )
        state = ctx.find_object(State)
        assert state is not None
        user = load_settings(state.overrides).user
        result = do_restore(registry_of(ctx), file, data_only=data_only, actor=user,
                            accept_unsigned=accept_unsigned)
        for warning in result.warnings:
            click.echo(warning.render(lang_of(ctx)), err=True)
        click.echo(
            msg(
                "Restored {quads} quads in {graphs} graphs from {file} (revision {old} made "
                "{created}) as revision {rev}. Side files: {side}.",
                quads=result.info.quads,
                graphs=len(result.info.graphs),
                file=file,
                old=result.info.revision,
                created=result.info.created,
                rev=result.revision,
                side=", ".join(result.side_files) or "-",
            ).render(lang_of(ctx))
        )

    @main.command("optimize")
    @click.pass_context
    def optimize(ctx: click.Context) -> None:
        """Compact the store: commit a new revision with the same quads, compacted by RocksDB.

        Loads compact on their own once OGPREG_COMPACT_AFTER_QUADS quads were written since
        the last compaction; run this after many small loads, or after a bulk import made
        outside 'ogpreg load'. Queries on an uncompacted revision run several times slower
        (docs/performance.md). Safe while the server serves: it sees the new revision from
        its next query.

        \b
        Example:
          ogpreg optimize
        """
        import time

        started = time.monotonic()
        rev = registry_of(ctx).optimize()
        click.echo(
            msg(
                "The store was compacted as revision {rev} in {seconds:.1f} s.",
                rev=rev.number,
                seconds=time.monotonic() - started,
            ).render(lang_of(ctx))
        )
