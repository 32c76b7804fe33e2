"""The cache shared by every worker when no Redis is configured: Django's database cache,
with an increment that counters can rely on.

Django's DatabaseCache inherits the generic `incr()`: a read, then a `set()` with the
default timeout. Two workers incrementing at once both read 4 and both write 5, and the
`set()` replaces the counter's expiry by the default 5 minutes, so a rate limit of
5 per hour would forget its count after 5 minutes. Here the increment reads the row
under a lock (SELECT ... FOR UPDATE on PostgreSQL; on SQLite every transaction of this
project begins IMMEDIATE, which takes the database's write lock) and rewrites only the
value, keeping the expiry set when the counter was created.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now

# The table created by core's migration 0003 (so `migrate` makes it on every database).
TABLE = "maillage_cache"


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {table} "  # noqa: S608
                f"WHERE {quote('cache_key')} = %s{lock}",
                [cache_key],
            )
            row = cursor.fetchone()
            if row is None or self._expires(connection, row[1]) < now():
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))  # noqa: S301 (our own rows)
            new_value = value + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol))
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s "  # noqa: S608
                f"WHERE {quote('cache_key')} = %s",
                [encoded.decode("latin1"), cache_key],
            )
        return new_value

    @staticmethod
    def _expires(connection, value):
        # The same conversion as DatabaseCache.get_many: SQLite returns text.
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection)
        for converter in converters:
            value = converter(value, expression, connection)
        return value
