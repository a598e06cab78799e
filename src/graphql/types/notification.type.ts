import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export const NotificationKindEnum = { BREAK_GLASS: 'BREAK_GLASS', ACCESS: 'ACCESS' } as const;
registerEnumType(NotificationKindEnum, {
  name: 'NotificationKind',
  description:
    'BREAK_GLASS: an emergency access to the data, always told. ACCESS: any other disclosure, told to webhooks registered with everyAccess.',
});

export const DeliveryStateEnum = { PENDING: 'PENDING', DELIVERED: 'DELIVERED', FAILED: 'FAILED' } as const;
registerEnumType(DeliveryStateEnum, {
  name: 'NotificationDeliveryState',
  description:
    'PENDING: not taken yet, retried with backoff. DELIVERED: the webhook answered 2xx. FAILED: given up on, or the webhook was removed first.',
});

@ObjectType({
  description:
    'A webhook of the patient: notifications are POSTed to it as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature headers).',
})
export class NotificationChannel {
  @Field(() => ID) id!: string;
  @Field(() => String) url!: string;
  @Field(() => Boolean, { description: 'Also every disclosure, not only break-glass accesses.' })
  everyAccess!: boolean;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType({ description: 'A webhook just registered, with its signing secret: shown in this answer only.' })
export class WebhookRegistration {
  @Field(() => NotificationChannel) channel!: NotificationChannel;
  @Field(() => String, {
    description: "The Standard Webhooks signing secret (whsec_…): verify each delivery's webhook-signature with it.",
  })
  secret!: string;
}

@ObjectType({ description: 'One notification to one webhook.' })
export class NotificationDelivery {
  @Field(() => ID) channelId!: string;
  @Field(() => String) url!: string;
  @Field(() => DeliveryStateEnum) state!: string;
  @Field(() => Int) attempts!: number;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the next attempt is due, while PENDING.' })
  nextAttemptAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' }) lastError!: string | null;
}

@ObjectType({
  description:
    'An access the patient is told of, written with its audit event: the same decision as in myAccessLog. Organisations, never staff.',
})
export class Notification {
  @Field(() => ID, { description: 'Also the webhook-id of its deliveries: the idempotency key.' }) id!: string;
  @Field(() => NotificationKindEnum) kind!: string;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => ID) decisionId!: string;
  @Field(() => String, { nullable: true }) organisationId!: string | null;
  @Field(() => String, { nullable: true }) organisationName!: string | null;
  @Field(() => String, { nullable: true }) purpose!: string | null;
  @Field(() => String, { nullable: true, description: 'The break-glass justification the requester gave.' })
  justification!: string | null;
  @Field(() => [NotificationDelivery], { description: 'Empty when the patient has no webhook that takes it.' })
  deliveries!: NotificationDelivery[];
}
