"""The directory's search table (DirectoryIndex): rebuilt from the national tables and
the territory, in SQL, whenever what it lists may have changed.

Callers: the RPPS importer after each run (every CPTS: a scoped import also rewrites
national rows that other CPTS list; inline, as the importer runs from the command line,
not in a request), the territory's change hook (registered in apps.py: territory does not
import the directory), which queues `refresh_job` to run on the worker once the change
commits (a page that changes the territory does not wait for the rebuild, and a change
rolled back rebuilds nothing), and the creation of a local professional (that
professional only, inline: a few rows, and the coordinator looks for them right after).
Each refresh is one transaction: a search sees the old rows or the new ones, never a CPTS
half listed.
"""

from django.apps import apps as global_apps
from django.db import connection, transaction

from maillage.core import jobs


def refresh_directory_index(cpts=None, *, professional_ids=None, apps=global_apps) -> None:
    """Rebuild the rows of one CPTS (`cpts`), or of every CPTS (None); only those of the
    given professionals when `professional_ids` is given. `apps` is the model registry
    (a migration passes its historical one)."""
    Cpts = apps.get_model("core", "Cpts")
    cpts_ids = [cpts.pk] if cpts is not None else list(
        Cpts.objects.order_by("pk").values_list("pk", flat=True)
    )
    with transaction.atomic():
        for cpts_id in cpts_ids:
            # Two refreshes of one CPTS at once (an import ending during a territory
            # change) take turns: the second would otherwise insert rows the first did.
            # Locks are taken in pk order, so two refreshes cannot deadlock.
            list(Cpts.objects.select_for_update().filter(pk=cpts_id).values_list("pk"))
            _refresh_one(apps, cpts_id, professional_ids)


def queue_refresh(cpts) -> None:
    """The territory's change hook: rebuild this CPTS's rows on the worker after the
    change commits."""
    jobs.enqueue("maillage.directory.index.refresh_job", cpts.pk, cpts=cpts)


def refresh_job(cpts_id: int) -> None:
    Cpts = global_apps.get_model("core", "Cpts")
    cpts = Cpts.objects.filter(pk=cpts_id).first()
    if cpts is not None:  # deleted since: nothing left to list
        refresh_directory_index(cpts)


def _refresh_one(apps, cpts_id: int, professional_ids) -> None:
    Index = apps.get_model("directory", "DirectoryIndex")
    Professional = apps.get_model("directory", "Professional")
    PracticeSite = apps.get_model("directory", "PracticeSite")
    TerritoryCommune = apps.get_model("territory", "TerritoryCommune")
    Commune = apps.get_model("territory", "Commune")
    qn = connection.ops.quote_name

    def table(model):
        return qn(model._meta.db_table)

    def col(model, name):
        return qn(model._meta.get_field(name).column)

    rows = Index.objects.filter(cpts_id=cpts_id)
    only, only_args = "", []
    if professional_ids is not None:
        professional_ids = list(professional_ids)
        if not professional_ids:
            return
        rows = rows.filter(professional_id__in=professional_ids)
        only = f" AND p.{col(Professional, 'id')} IN ({', '.join(['%s'] * len(professional_ids))})"
        only_args = professional_ids
    rows.delete()

    p_id, s_professional = col(Professional, "id"), col(PracticeSite, "professional")
    columns = ", ".join(col(Index, n) for n in (
        "cpts", "professional", "commune_code", "rank", "national", "last_name", "first_name",
        "search_name", "profession_code",
    ))  # fmt: skip
    # The directory of a CPTS, as services.professionals_for() defines it: active national
    # professionals with a practice site in the territory, and the CPTS's local ones.
    sql = f"""
        INSERT INTO {table(Index)} ({columns})
        SELECT DISTINCT %s, p.{p_id}, COALESCE(s.{col(PracticeSite, "commune_code")}, ''), %s,
               CASE WHEN p.{col(Professional, "owner")} IS NULL THEN %s ELSE %s END,
               p.{col(Professional, "last_name")}, p.{col(Professional, "first_name")},
               p.{col(Professional, "search_name")}, p.{col(Professional, "profession_code")}
        FROM {table(Professional)} p
        LEFT JOIN {table(PracticeSite)} s ON s.{s_professional} = p.{p_id}
        WHERE p.{col(Professional, "active")} = %s{only}
          AND ((p.{col(Professional, "owner")} IS NULL
                AND p.{col(Professional, "source")} = %s
                AND p.{p_id} IN (
                    SELECT t_s.{s_professional} FROM {table(PracticeSite)} t_s
                    WHERE t_s.{col(PracticeSite, "commune_code")} IN (
                        SELECT c.{col(Commune, "code")} FROM {table(Commune)} c
                        JOIN {table(TerritoryCommune)} t
                          ON t.{col(TerritoryCommune, "commune")} = c.{col(Commune, "id")}
                        WHERE t.{col(TerritoryCommune, "cpts")} = %s)))
               OR p.{col(Professional, "owner")} = %s)
    """  # noqa: S608 (names from the models, values as parameters)
    args = [cpts_id, 1, True, False, True, *only_args, "national", cpts_id, cpts_id]
    index_id, index_cpts = col(Index, "id"), col(Index, "cpts")
    index_professional = col(Index, "professional")
    # One row per professional is the main one (searches without a commune read it).
    main = f"""
        UPDATE {table(Index)} SET {col(Index, "rank")} = %s
        WHERE {index_id} IN (
            SELECT MIN({index_id}) FROM {table(Index)}
            WHERE {index_cpts} = %s{only.replace(f"p.{p_id}", index_professional)}
            GROUP BY {index_professional})
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        cursor.execute(main, [0, cpts_id, *only_args])
