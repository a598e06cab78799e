import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { AccessLogResolver } from './resolvers/access-log.resolver.js';
import { AuditChainResolver } from './resolvers/audit-chain.resolver.js';
import { CareResolver } from './resolvers/care.resolver.js';
import { ErasureResolver } from './resolvers/erasure.resolver.js';
import { ConsentResolver } from './resolvers/consent.resolver.js';
import { DisclosureResolver } from './resolvers/disclosure.resolver.js';
import { ImportResolver } from './resolvers/import.resolver.js';
import { PatientReviewResolver } from './resolvers/patient-review.resolver.js';
import { MeResolver } from './resolvers/me.resolver.js';
import { NotificationResolver } from './resolvers/notification.resolver.js';
import { PatientResolver } from './resolvers/patient.resolver.js';
import { PolicyResolver } from './resolvers/policy.resolver.js';

const NO_TOPICS: PubSub = {
  publish() {
    throw new Error('this schema publishes to no topics');
  },
  subscribe() {
    throw new Error('this schema has no topics to subscribe to');
  },
};

/** The executable schema, from the type-graphql classes. */
export function buildMeridianSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      PatientResolver,
      MeResolver,
      ConsentResolver,
      CareResolver,
      ErasureResolver,
      NotificationResolver,
      AccessLogResolver,
      AuditChainResolver,
      DisclosureResolver,
      PolicyResolver,
      ImportResolver,
      PatientReviewResolver,
    ],
    validate: false,
    // Subscriptions here make their own streams (`subscribe`); nothing is published to topics.
    pubSub: NO_TOPICS,
  });
}

/** The SDL committed as schema/schema.graphql. */
export async function printMeridianSchema(): Promise<string> {
  return `${printSchema(await buildMeridianSchema())}\n`;
}
