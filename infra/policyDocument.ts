/** An IAM policy document, as plain data: built by pure functions, serialized at the edge. */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | { readonly Service?: string; readonly AWS?: string };
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<
    Record<string, Readonly<Record<string, string | readonly string[]>>>
  >;
}

/** The statements' actions and resources as flat lists (for checks and tests). */
export function actionsOf(statement: PolicyStatement): readonly string[] {
  return typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
}

export function resourcesOf(statement: PolicyStatement): readonly string[] {
  if (statement.Resource === undefined) return [];
  return typeof statement.Resource === 'string' ? [statement.Resource] : statement.Resource;
}
