// The central stack's organization resources (serverless.yml, through scripts/deploy-config.cjs, when the stage
// param organizationId is set): an event bus only the organization can put events on, and on it the same rules
// as the functions' own rules on the default bus, so member accounts' forwarded events reach the same functions.

type Json = Record<string, unknown>;

/** The functions as serverless resolves them (`self:functions`): only their EventBridge rules matter here. */
export interface FunctionsConfig {
  [name: string]: { events?: Array<{ eventBridge?: { pattern?: Json; deadLetterQueueArn?: unknown } }> };
}

export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
export const BUS_LOGICAL_ID = 'OrganizationEventBus';

/** serverless's logical id for a function: `notebookInstances` -> `NotebookInstancesLambdaFunction`. */
const functionLogicalId = (name: string): string =>
  `${name.charAt(0).toUpperCase()}${name.slice(1).replaceAll('-', 'Dash').replaceAll('_', 'Underscore')}LambdaFunction`;

export function centralResources(options: {
  organizationId: string;
  /** `${service}-${stage}`: names the bus and its rules. */
  prefix: string;
  functions: FunctionsConfig;
}): { Resources: Json; Outputs: Json } {
  const { organizationId, prefix, functions } = options;
  if (!ORGANIZATION_ID.test(organizationId)) {
    throw new Error(`stage param "organizationId": not an AWS Organizations id (o-...): "${organizationId}"`);
  }
  const busArn = { 'Fn::GetAtt': [BUS_LOGICAL_ID, 'Arn'] };
  const resources: Json = {
    [BUS_LOGICAL_ID]: { Type: 'AWS::Events::EventBus', Properties: { Name: `${prefix}-org` } },
    OrganizationEventBusPolicy: {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: { Ref: BUS_LOGICAL_ID },
        StatementId: 'OrganizationMembersOnly',
        // Any principal of the organization (the member accounts' forwarding roles), nobody else.
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: busArn,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
        },
      },
    },
  };
  for (const [name, config] of Object.entries(functions)) {
    (config.events ?? []).forEach((event, i) => {
      const rule = event.eventBridge;
      if (!rule?.pattern) return;
      const id = `${functionLogicalId(name)}OrgRule${i + 1}`;
      const target = { 'Fn::GetAtt': [functionLogicalId(name), 'Arn'] };
      resources[id] = {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: `${prefix}-org-${name}-${i + 1}`,
          EventBusName: { Ref: BUS_LOGICAL_ID },
          EventPattern: rule.pattern,
          State: 'ENABLED',
          Targets: [
            {
              Id: `${name}-org`,
              Arn: target,
              ...(rule.deadLetterQueueArn ? { DeadLetterConfig: { Arn: rule.deadLetterQueueArn } } : {}),
            },
          ],
        },
      };
      resources[`${id}Permission`] = {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          FunctionName: target,
          Action: 'lambda:InvokeFunction',
          Principal: 'events.amazonaws.com',
          SourceArn: { 'Fn::GetAtt': [id, 'Arn'] },
        },
      };
    });
  }
  return {
    Resources: resources,
    Outputs: {
      OrganizationEventBusArn: {
        Description: 'The member template forwards SageMaker events here (parameter CentralEventBusArn)',
        Value: busArn,
      },
    },
  };
}

/** The central functions may assume the member role in the organization's accounts, and only there. */
export function memberAccessStatement(organizationId: string, memberRoleName: string): Json {
  if (!organizationId) {
    // Single account: the functions never act in another account.
    return { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' };
  }
  return {
    Effect: 'Allow',
    Action: 'sts:AssumeRole',
    Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::*:role/${memberRoleName}` },
    Condition: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
  };
}
