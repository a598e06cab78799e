import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';

/**
 * Refuses an operation whose type the schema does not define (this schema has no
 * subscriptions): a validation error naming it, where graphql-js 16 would only fail at
 * execution, which Apollo reports as an internal error. graphql-js 17 ships this rule.
 */
export function KnownOperationTypesRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    OperationDefinition(node) {
      const root = schema.getRootType(node.operation);
      if (root == null) {
        context.reportError(
          new GraphQLError(`This gateway does not support ${node.operation} operations.`, { nodes: node }),
        );
      }
    },
  };
}
