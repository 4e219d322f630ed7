import { prepareTemplates, startThrowawayPostgres } from '@calma/db/testing';
// Declares the values provided below (ProvidedContext) for type checking.
import type {} from '@calma/db/testing/fresh';
import type { TestProject } from 'vitest/node';

/**
 * Once per run: a real PostgreSQL (a throwaway one from Debian's package on a free port, unless
 * CALMA_TEST_DATABASE_URL names a server the tests may create databases on) and migrated
 * templates for both drivers, so every database test runs on PGlite and on PostgreSQL. It installs
 * nothing: `npm test` installs the system packages before vitest starts (scripts/calma.mjs).
 */
export default async function setup(project: TestProject) {
  const log = (line: string) => console.log(`[test setup] ${line}`);
  const given = process.env.CALMA_TEST_DATABASE_URL?.trim();
  const server = given ? null : await startThrowawayPostgres(log);
  const postgresUrl = given || (server?.url as string);
  const templates = await prepareTemplates(postgresUrl);
  log('migrated templates ready (PGlite and PostgreSQL)');
  project.provide('pgliteTemplateDir', templates.pgliteTemplateDir);
  project.provide('postgresUrl', postgresUrl);
  return () => {
    templates.cleanup();
    server?.stop();
  };
}
