import { GraphQLError, OperationTypeNode, type ASTVisitor, type ValidationContext } from 'graphql';

/**
 * Refuses operations the other transport serves: over HTTP subscriptions (nothing to stream
 * to), over the WebSocket queries and mutations (HTTP applies the rate and cost limits).
 */
export function transportRule(transport: 'http' | 'websocket'): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    OperationDefinition(node) {
      const subscription = node.operation === OperationTypeNode.SUBSCRIPTION;
      if (transport === 'http' && subscription) {
        context.reportError(
          new GraphQLError(
            'Subscriptions are served over WebSocket on /graphql (graphql-ws protocol), not over HTTP.',
            { nodes: node },
          ),
        );
      } else if (transport === 'websocket' && !subscription) {
        context.reportError(
          new GraphQLError(
            `Send ${node.operation} operations over HTTP (POST /graphql); this socket takes subscriptions.`,
            {
              nodes: node,
            },
          ),
        );
      }
    },
  });
}
