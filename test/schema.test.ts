import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { printMeridianSchema } from '../src/graphql/schema.js';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema:emit` after changing the API)', async () => {
    const committed = await readFile(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(await printMeridianSchema());
  });
});
