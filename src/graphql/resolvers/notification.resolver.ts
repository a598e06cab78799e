import { Arg, Ctx, GraphQLISODateTime, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { PatientNotification } from '../../access/notify/notification-service.js';
import type { DeliveryRow, NotificationChannelRow } from '../../stores/notification-store.js';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import {
  Notification,
  NotificationChannel,
  NotificationDelivery,
  WebhookRegistration,
} from '../types/notification.type.js';

function toChannel(row: NotificationChannelRow): NotificationChannel {
  return { id: row.id, url: row.url, everyAccess: row.everyAccess, createdAt: row.createdAt };
}

function toDelivery(row: DeliveryRow): NotificationDelivery {
  const state = row.deliveredAt !== null ? 'DELIVERED' : row.nextAttemptAt === null ? 'FAILED' : 'PENDING';
  return {
    channelId: row.channelId,
    url: row.url,
    state,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    deliveredAt: row.deliveredAt,
    lastError: row.lastError,
  };
}

function toNotification(row: PatientNotification, ctx: GraphQLContext): Notification {
  const event = row.event;
  return {
    id: row.id,
    kind: row.kind === 'break_glass' ? 'BREAK_GLASS' : 'ACCESS',
    at: row.createdAt,
    decisionId: row.auditEventId,
    organisationId: event?.requesterOrg ?? null,
    organisationName: event ? ctx.services.organisationName(event.requesterOrg) : null,
    purpose: event?.purpose ?? null,
    justification: event?.breakGlass === true ? (event.body.breakGlass?.justification ?? null) : null,
    deliveries: row.deliveries.map(toDelivery),
  };
}

@Resolver()
export class NotificationResolver {
  @Mutation(() => WebhookRegistration, {
    description:
      'Registers a webhook for the signed-in patient: told of every break-glass access to their data, and of every other disclosure when everyAccess. https only (and no local or private address) unless the gateway allows local webhooks. The signing secret is in this answer only.',
  })
  async registerWebhook(
    @Arg('url', () => String) url: string,
    @Arg('everyAccess', () => Boolean, { defaultValue: false }) everyAccess: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WebhookRegistration> {
    const { channel, secret } = await ctx.services.notifications.register(requirePrincipal(ctx), url, everyAccess);
    return { channel: toChannel(channel), secret };
  }

  @Mutation(() => NotificationChannel, {
    description: "Removes one of the signed-in patient's webhooks: nothing more is delivered to it.",
  })
  async removeWebhook(
    @Arg('channelId', () => ID) channelId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<NotificationChannel> {
    return toChannel(await ctx.services.notifications.remove(requirePrincipal(ctx), channelId));
  }

  @Query(() => [NotificationChannel], { description: "The signed-in patient's webhooks, oldest first." })
  async myWebhooks(@Ctx() ctx: GraphQLContext): Promise<NotificationChannel[]> {
    return (await ctx.services.notifications.channels(requirePrincipal(ctx))).map(toChannel);
  }

  @Query(() => [Notification], {
    description: "The signed-in patient's notifications, newest first, each with the state of its deliveries.",
  })
  async myNotifications(
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Notification[]> {
    return (await ctx.services.notifications.notifications(requirePrincipal(ctx), first)).map((n) =>
      toNotification(n, ctx),
    );
  }

  @Subscription(() => Notification, {
    description:
      "The signed-in patient's notifications as they are written, from the moment of subscribing, or first those written since `since` (GraphQL over WebSocket on /graphql, graphql-ws protocol; the bearer token goes in connectionParams.authorization). Earlier ones are in myNotifications; a client passing the time it read them as `since` misses none (and may get one twice: the id tells).",
    subscribe: ({ context, args }: { context: GraphQLContext; args: { since?: Date | null } }) =>
      context.services.notifications.follow(requirePrincipal(context), args.since ?? null),
  })
  notifications(
    @Root() notification: PatientNotification,
    @Arg('since', () => GraphQLISODateTime, { nullable: true }) _since: Date | null,
    @Ctx() ctx: GraphQLContext,
  ): Notification {
    return toNotification(notification, ctx);
  }
}
