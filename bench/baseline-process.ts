// The baseline: a minimal Apollo Server (same @apollo/server and graphql as Meridian, Meridian's
// own schema) answering the patient summary from memory — no authentication, policy, ledger,
// audit, database or cache. What is left of a Meridian request's cost is GraphQL over HTTP.
import { readFile } from 'node:fs/promises';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLError } from 'graphql';
import { serveForBench } from './server-process.js';

/** The summaries Meridian answered for the same patients, by patient id (written by the bench). */
const payloadFile = process.env.BENCH_BASELINE_PAYLOADS;
if (payloadFile === undefined) throw new Error('BENCH_BASELINE_PAYLOADS is not set');

await serveForBench(async () => {
  const payloads = new Map(Object.entries(JSON.parse(await readFile(payloadFile, 'utf8')) as Record<string, unknown>));
  const typeDefs = await readFile(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
  const server = new ApolloServer({
    typeDefs,
    resolvers: {
      Query: {
        patientSummary: (_: unknown, args: { patientId: string }) => {
          const summary = payloads.get(args.patientId);
          if (summary === undefined) throw new GraphQLError('unknown patient', { extensions: { code: 'NOT_FOUND' } });
          return summary;
        },
      },
    },
  });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  return { url, close: () => server.stop() };
});
