// Writes schema/schema.graphql from the type-graphql classes: `npm run schema:emit`.
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { printMeridianSchema } from '../src/graphql/schema.js';

await writeFile(new URL('../schema/schema.graphql', import.meta.url), await printMeridianSchema());
console.log('wrote schema/schema.graphql');
