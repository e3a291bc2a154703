// Writes docs/openapi.json from the built server (dist/): the OpenAPI description the route schemas
// generate, keys sorted, no timestamps, so the file changes only when the API does. The last step of
// `npm run build`.
//
// Not in CI (CI=true): there the build must not quietly fix the file. CI runs tests/server/api/openapi.test.ts
// instead, which generates the document from the source and fails when the committed file differs.
import { readFileSync, writeFileSync } from 'node:fs';

const FILE = 'docs/openapi.json';

if (process.env.CI === 'true') {
  console.log(`write-openapi: CI=true, ${FILE} not written (the test checks it is current)`);
} else {
  const { generateOpenApi } = await import('../dist/server/api/openapi-build.js');
  const text = await generateOpenApi();
  let before = '';
  try {
    before = readFileSync(FILE, 'utf8');
  } catch {
    // first run: no file yet
  }
  if (text === before) console.log(`write-openapi: ${FILE} is current`);
  else {
    writeFileSync(FILE, text);
    console.log(`write-openapi: ${FILE} written; commit it with the change to the API`);
  }
}
