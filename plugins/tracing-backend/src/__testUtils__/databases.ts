import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';

/**
 * SQLite and the PostgreSQL that scripts/test.sh starts. Without a PostgreSQL
 * the tests fail loudly instead of quietly running on SQLite alone.
 */
export function createTestDatabases(): TestDatabases {
  const postgresId = process.env.TRACEGATE_TEST_POSTGRES_ID as
    | TestDatabaseId
    | undefined;
  if (!postgresId && !process.env.TRACEGATE_TEST_SQLITE_ONLY) {
    throw new Error(
      'No PostgreSQL for the database tests. Run scripts/test.sh (it starts one), ' +
        'or set BACKSTAGE_TEST_DATABASE_POSTGRES<N>_CONNECTION_STRING and ' +
        'TRACEGATE_TEST_POSTGRES_ID=POSTGRES_<N>, or TRACEGATE_TEST_SQLITE_ONLY=1.',
    );
  }
  return TestDatabases.create({
    ids: postgresId ? ['SQLITE_3', postgresId] : ['SQLITE_3'],
    disableDocker: true,
  });
}
