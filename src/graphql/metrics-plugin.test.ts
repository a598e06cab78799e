import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { rootField } from './metrics-plugin.js';

const label = (query: string, operationName?: string): string => {
  const document = parse(query);
  return rootField(document, getOperationAST(document, operationName) ?? undefined);
};

describe('rootField, the operation label', () => {
  it('is the first root field, by name not alias', () => {
    expect(label('{ patientSummary(patientId: "x", purpose: TREAT) { patientId } }')).toBe('patientSummary');
    expect(label('query Q { a: records(patientId: "x") { pageInfo { hasNextPage } } me { subject } }')).toBe('records');
    expect(label('mutation { __typename grantConsent(input: {}) { id } }')).toBe('grantConsent');
  });

  it('looks through fragments at the root', () => {
    expect(label('query { ...F } fragment F on Query { me { subject } }')).toBe('me');
    expect(label('query { ... on Query { me { subject } } }')).toBe('me');
  });

  it('is the named operation of a document holding several', () => {
    expect(label('query A { me { subject } } query B { patientSummary { patientId } }', 'B')).toBe('patientSummary');
  });

  it('is unknown without a resolved operation, __typename for a request of only that', () => {
    expect(rootField(undefined, undefined)).toBe('unknown');
    expect(label('query A { me { subject } } query B { me { subject } }', 'C')).toBe('unknown');
    expect(label('{ __typename }')).toBe('__typename');
  });
});
