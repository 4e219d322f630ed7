// The server build's second step (scripts/build.mjs runs it as dist/pglite-template.js): the PGlite
// template beside the bundle, so that a first start copies a data directory instead of spending
// seconds (and, in-process, half a gigabyte) on initdb and the migrations. Kept while current.
import { createPgliteTemplate, pgliteTemplateIsCurrent } from '@calma/db';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node dist/pglite-template.js <directory>');
  process.exit(2);
}
if (pgliteTemplateIsCurrent(dir)) {
  console.log(`PGlite template up to date (${dir})`);
} else {
  const started = Date.now();
  await createPgliteTemplate(dir);
  console.log(`PGlite template made in ${Date.now() - started} ms (${dir})`);
}
